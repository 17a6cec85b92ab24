using TradeStat.Infrastructure.Feed;

namespace TradeStat.Tests.Unit.Infrastructure.Feed;

[TestFixture]
[Category("Unit")]
public sealed class FeedUniverseTests
{
    [Test]
    public void Refresh_carries_state_over_adds_and_removes()
    {
        var book = new FeedBook(new FeedBookOptions());
        book.Replace(["BTCUSDT", "ETHUSDT", "OLDCOIN"]);
        var btc = book.Universe.Find("BTCUSDT"u8)!;
        btc.Apply(1, 100).Result.Should().Be(TradeResult.Applied);

        var change = book.Replace(["BTCUSDT", "ETHUSDT", "NEWCOIN"]);

        change.Added.Should().Equal("NEWCOIN");
        change.Removed.Should().Equal("OLDCOIN");
        book.Universe.Find("BTCUSDT"u8).Should().BeSameAs(btc);
        book.Get("btcusdt")!.Value.Count.Should().Be(1);
        book.Get("OLDCOIN").Should().BeNull();
        book.Get("newcoin")!.Value.Count.Should().Be(0);
        book.Symbols.Should().Equal("BTCUSDT", "ETHUSDT", "NEWCOIN");
    }
}
