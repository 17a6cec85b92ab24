using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using TradeStat.Infrastructure.Feed;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Unit.Infrastructure.Feed;

[TestFixture]
[Category("Unit")]
public sealed class TradeIngestorTests
{
    [Test]
    public void Recordings_go_through_without_a_per_message_allocation()
    {
        var trades = Recordings.Trades(Recordings.BtcUsdt).Concat(Recordings.Trades(Recordings.EthUsdt)).ToArray();
        var lines = trades.Select(t => Encoding.UTF8.GetBytes(Trade(t.Symbol, t.Id, t.Price))).ToArray();

        // The same trades again with later ids: new trades at prices already seen, so no price level is added and
        // whatever is allocated would be per message.
        var counts = trades.GroupBy(t => t.Symbol).ToDictionary(g => g.Key, g => (long)g.Count());
        var again = trades.Select(t => Encoding.UTF8.GetBytes(Trade(t.Symbol, t.Id + counts[t.Symbol], t.Price))).ToArray();
        var (ingestor, book) = Create(["BTCUSDT", "ETHUSDT", "BNBBTC"]);
        foreach (var line in lines)
        {
            ingestor.Process(line, out _, out _);
        }

        lines = again;
        var applied = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var line in lines)
        {
            applied += ingestor.Process(line, out _, out _) == IngestResult.Applied ? 1 : 0;
        }

        var perMessage = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)lines.Length;
        applied.Should().Be(lines.Length);

        perMessage.Should().BeLessThan(1, "nothing is allocated per message (a string would be ≥ 30 bytes)");
        book.Get("BTCUSDT")!.Value.Count.Should().Be(2 * 9757);
    }

    [Test]
    public void Duplicates_unknown_symbols_gaps_and_malformed_are_told_apart()
    {
        var (ingestor, book) = Create(["BTCUSDT"]);
        Process(ingestor, Trade("BTCUSDT", 1, "10")).Should().Be(IngestResult.Applied);
        Process(ingestor, Trade("BTCUSDT", 1, "10")).Should().Be(IngestResult.Duplicate);
        Process(ingestor, Trade("ETHUSDT", 1, "10")).Should().Be(IngestResult.UnknownSymbol);
        Process(ingestor, Trade("btcusdt", 2, "10")).Should().Be(IngestResult.UnknownSymbol, "the feed's symbols are exact bytes");
        Process(ingestor, "{\"data\":").Should().Be(IngestResult.Malformed);
        ingestor.Process(Encoding.UTF8.GetBytes(Trade("BTCUSDT", 5, "12")), out var gapped, out _).Should().Be(IngestResult.Gap);
        Process(ingestor, Trade("BTCUSDT", 6, "12")).Should().Be(IngestResult.Held);
        ingestor.NextGap(gapped!, out var gap).Should().BeTrue();
        (gap.From, gap.ToExclusive).Should().Be((2L, 5L));
        ingestor.ApplyBackfilled(gapped!, 2, 1_100_000_000, 0).Should().BeTrue();
        ingestor.GiveUp(gapped!, gap, "test");
        ingestor.NextGap(gapped!, out _).Should().BeFalse();
        var metrics = ingestor.Metrics;
        (metrics.Trades, metrics.Duplicates, metrics.UnknownSymbol, metrics.Malformed, metrics.Gaps, metrics.Backfilled, metrics.Missed)
            .Should().Be((4L, 1L, 2L, 1L, 1L, 1L, 2L));
        (metrics.Held, metrics.GapsOpen).Should().Be((2L, 0L));
        book.Get("BTCUSDT")!.Value.Missed.Should().Be(2);
        book.Get("BTCUSDT")!.Value.MedianHalfUnits.Should().Be(2_300_000_000, "10, 11, 12, 12: (11 + 12) / 2");
    }

    private static string Trade(string symbol, long id, string price) =>
        $"{{\"stream\":\"{symbol.ToLowerInvariant()}@trade\",\"data\":{{\"e\":\"trade\",\"E\":1,\"s\":\"{symbol}\",\"t\":{id},\"p\":\"{price}\",\"q\":\"1\",\"T\":1,\"m\":true,\"M\":true}}}}";

    private static IngestResult Process(TradeIngestor ingestor, string frame) => ingestor.Process(Encoding.UTF8.GetBytes(frame), out _, out _);

    private static (TradeIngestor, FeedBook) Create(string[] symbols)
    {
        var book = new FeedBook(new FeedBookOptions());
        book.Replace(symbols);
        return (new TradeIngestor(book, new FeedMetrics(), NullLogger<TradeIngestor>.Instance, new BinanceOptions(), TimeProvider.System), book);
    }
}
