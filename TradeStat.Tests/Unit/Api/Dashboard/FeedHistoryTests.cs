using TradeStat.Api.Dashboard;
using TradeStat.Domain.Feed;
using TradeStat.Tests.Fakes;

namespace TradeStat.Tests.Unit.Api.Dashboard;

[TestFixture]
[Category("Unit")]
public sealed class FeedHistoryTests
{
    [Test]
    public void Sample_keeps_the_last_samples_of_each_symbol_that_traded_as_a_naive_list_does([Range(1, 20)] int run)
    {
        var random = new Random(run);
        var feed = new Feed("AAA", "BBB", "CCC");
        var clock = new ManualClock();
        var history = new FeedHistory(feed, clock);
        var expected = feed.Symbols.ToDictionary(s => s, _ => new List<(long T, long Last, long? Median)>(), StringComparer.Ordinal);

        var passes = random.Next(1, 3 * FeedHistory.Capacity);
        for (var pass = 0; pass < passes; pass++)
        {
            foreach (var symbol in feed.Symbols)
            {
                if (random.Next(3) == 0)
                {
                    var last = random.Next(1, 1_000);
                    long? median = random.Next(5) == 0 ? null : random.Next(1, 1_000);
                    feed.Trade(symbol, last, median);
                    expected[symbol].Add((clock.GetUtcNow().ToUnixTimeMilliseconds(), last, median));
                }
            }

            history.Sample();
            clock.Advance(FeedHistory.SampleInterval);
        }

        foreach (var symbol in feed.Symbols)
        {
            var want = expected[symbol].TakeLast(FeedHistory.Capacity).ToArray();
            var got = history.Get(symbol.ToLowerInvariant())!;
            got.Symbol.Should().Be(symbol);
            got.Times.Should().Equal(want.Select(w => w.T));
            got.Last.Should().Equal(want.Select(w => w.Last));
            got.Median.Should().Equal(want.Select(w => w.Median));
        }
    }

    [Test]
    public void A_symbol_not_followed_has_no_history_and_one_that_leaves_is_forgotten()
    {
        var feed = new Feed("AAA", "BBB");
        var history = new FeedHistory(feed, new ManualClock());
        feed.Trade("AAA", 10, 10);
        feed.Trade("BBB", 20, 20);
        history.Sample();

        history.Get("ZZZ").Should().BeNull();
        history.Get("BBB")!.Last.Should().Equal(20);

        feed.Leave("BBB");
        history.Sample();
        feed.Return("BBB");
        history.Get("BBB")!.Times.Should().BeEmpty("its ring was dropped when it left the universe");
        history.Get("AAA")!.Last.Should().Equal(10);
    }

    /// <summary>A feed whose trades the test sets: each trade adds one to the symbol's count.</summary>
    private sealed class Feed(params string[] symbols) : IFeedService
    {
        private readonly List<string> _symbols = [.. symbols];
        private readonly Dictionary<string, FeedSnapshot> _snapshots = symbols.ToDictionary(
            s => s, s => new FeedSnapshot(s, 0, null, null, true, 0), StringComparer.OrdinalIgnoreCase);

        public bool IsEnabled => true;

        public IReadOnlyList<string> Symbols => _symbols;

        public FeedSnapshot? Get(string symbol) => _snapshots.TryGetValue(symbol, out var s) ? s : null;

        public void Trade(string symbol, long last, long? median)
        {
            var s = _snapshots[symbol];
            _snapshots[symbol] = s with { Count = s.Count + 1, LastHalfUnits = last, MedianHalfUnits = median };
        }

        public void Leave(string symbol) => _symbols.Remove(symbol);

        public void Return(string symbol) => _symbols.Add(symbol);
    }
}
