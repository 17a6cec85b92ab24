using System.Text;
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
        book.Get("newcoin")!.Value.Count.Should().Be(0);
        book.Symbols.Should().Equal("BTCUSDT", "ETHUSDT", "NEWCOIN");
    }

    [Test]
    public void A_symbol_that_leaves_is_no_longer_listed_but_its_statistics_stay_readable()
    {
        var book = new FeedBook(new FeedBookOptions());
        book.Replace(["BTCUSDT", "OLDCOIN"]);
        var old = book.Universe.Find("OLDCOIN"u8)!;
        old.Apply(7, 300).Result.Should().Be(TradeResult.Applied);

        var change = book.Replace(["BTCUSDT"]);

        change.Removed.Should().Equal("OLDCOIN");
        book.Symbols.Should().Equal("BTCUSDT");
        book.Get("oldcoin")!.Value.Count.Should().Be(1, "a delisted symbol's statistics stay readable");
        book.Universe.FindIgnoreCase("OldCoin").Should().BeSameAs(old);
        book.Universe.Find("OLDCOIN"u8).Should().BeSameAs(old);
        book.Universe.IsListed("OLDCOIN"u8).Should().BeFalse();
        book.Universe.Retired.Should().Equal("OLDCOIN");

        // Still kept after further refreshes that do not list it.
        book.Replace(["BTCUSDT", "NEWCOIN"]);
        book.Get("OLDCOIN")!.Value.Count.Should().Be(1);
        book.Symbols.Should().Equal("BTCUSDT", "NEWCOIN");
    }

    [Test]
    public void A_symbol_listed_again_gets_its_own_state_back_and_counts_on()
    {
        var book = new FeedBook(new FeedBookOptions());
        book.Replace(["AAA", "BBB"]);
        var bbb = book.Universe.Find("BBB"u8)!;
        bbb.Apply(1, 10);
        bbb.Apply(2, 30);
        book.Replace(["AAA"]);

        var change = book.Replace(["AAA", "BBB"]);

        change.Added.Should().Equal("BBB");
        change.Removed.Should().BeEmpty();
        book.Universe.Find("BBB"u8).Should().BeSameAs(bbb);
        bbb.Apply(3, 20).Result.Should().Be(TradeResult.Applied);
        book.Get("BBB")!.Value.Count.Should().Be(3);
        book.Symbols.Should().Equal("AAA", "BBB");
    }

    [Test]
    public void A_symbol_never_listed_is_unknown()
    {
        var book = new FeedBook(new FeedBookOptions());
        book.Replace(["AAA"]);
        book.Get("BBB").Should().BeNull();
        book.Universe.Find("BBB"u8).Should().BeNull();
    }

    [Test]
    public void Refreshes_match_a_naive_reference([Range(1, 40)] int seed)
    {
        // The reference: the listed set, and one state per name ever listed (kept by identity).
        var random = new Random(seed);
        var pool = Enumerable.Range(0, random.Next(1, 60)).Select(i => Name(random, i)).ToArray();
        var book = new FeedBook(new FeedBookOptions { MaxDistinctPricesPerSymbol = 16 });
        var states = new Dictionary<string, FeedSymbol>(StringComparer.Ordinal);
        var listed = new SortedSet<string>(StringComparer.Ordinal);
        for (var refresh = 0; refresh < 30; refresh++)
        {
            var next = pool.Where(_ => random.Next(3) > 0).ToList();
            if (random.Next(5) == 0 && next.Count > 0)
            {
                next.Add(next[random.Next(next.Count)].ToLowerInvariant()); // a duplicate in another case
            }

            var nextSet = next.Select(FeedUniverse.Normalize).ToHashSet(StringComparer.Ordinal);
            var expectedAdded = nextSet.Where(n => !listed.Contains(n)).Order(StringComparer.Ordinal).ToArray();
            var expectedRemoved = listed.Where(n => !nextSet.Contains(n)).ToArray();

            var change = book.Replace(next);

            change.Added.Should().Equal(expectedAdded);
            change.Removed.Should().Equal(expectedRemoved);
            listed = new SortedSet<string>(nextSet, StringComparer.Ordinal);
            change.Total.Should().Be(listed.Count);
            book.Symbols.Should().Equal(listed);
            foreach (var name in listed)
            {
                var state = book.Universe.Find(Encoding.UTF8.GetBytes(name))!;
                state.Should().NotBeNull();
                if (states.TryGetValue(name, out var known))
                {
                    state.Should().BeSameAs(known, $"{name} keeps its state (seed {seed}, refresh {refresh})");
                }

                states[name] = state;
                state.Apply(state.LastTradeId + 1, random.Next(1, 100));
            }

            foreach (var (name, state) in states)
            {
                book.Universe.Find(Encoding.UTF8.GetBytes(name)).Should().BeSameAs(state, $"{name} stays readable");
                book.Universe.IsListed(Encoding.UTF8.GetBytes(name)).Should().Be(listed.Contains(name));
                book.Get(name.ToLowerInvariant())!.Value.Count.Should().Be(state.LastTradeId + 1);
            }

            book.Universe.States.Should().HaveCount(states.Count).And.OnlyHaveUniqueItems();
            book.Universe.Retired.Should().Equal(states.Keys.Where(n => !listed.Contains(n)).Order(StringComparer.Ordinal));
            foreach (var name in pool.Select(FeedUniverse.Normalize).Where(n => !states.ContainsKey(n)))
            {
                book.Get(name).Should().BeNull();
            }
        }
    }

    private static string Name(Random random, int i)
    {
        // ASCII letters and digits, now and then a non-ASCII character as Binance also lists.
        var chars = Enumerable.Range(0, random.Next(1, 10)).Select(_ => "ABCDEFGHXYZ0123456789币安é"[random.Next(24)]);
        return new string([.. chars]) + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
