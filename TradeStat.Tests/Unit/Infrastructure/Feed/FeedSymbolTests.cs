using TradeStat.Infrastructure.Feed;

namespace TradeStat.Tests.Unit.Infrastructure.Feed;

/// <summary>
/// The per-symbol exactly-once state against a naive reference: every trade of a symbol arrives live in a shuffled,
/// duplicated, partly lost order (as reconnects and overlapping connections deliver it), the back-fill serves the lost
/// ones, and the count, the median and the missed trades must be exactly those of the reference.
/// </summary>
[TestFixture]
[Category("Unit")]
public sealed class FeedSymbolTests
{
    [Test]
    public void Trades_count_once_and_a_gap_holds_later_trades_until_it_is_filled()
    {
        var state = new FeedSymbol("X", 100);
        state.Apply(10, 5).Result.Should().Be(TradeResult.Applied);
        state.Apply(10, 5).Result.Should().Be(TradeResult.Duplicate);
        state.Apply(9, 5).Result.Should().Be(TradeResult.Duplicate);
        state.Apply(11, 7).Result.Should().Be(TradeResult.Applied);

        var gap = state.Apply(15, 9);
        gap.Result.Should().Be(TradeResult.Gap);
        gap.GapFrom.Should().Be(12);
        state.Apply(16, 9).Result.Should().Be(TradeResult.Held, "a gap is open: later trades wait behind it");
        state.Apply(16, 9).Result.Should().Be(TradeResult.Duplicate);
        state.Snapshot().Count.Should().Be(2);
        state.Snapshot().Filling.Should().BeTrue();

        state.NextGap(out var range, out var counted, out _).Should().BeTrue();
        (range.From, range.ToExclusive, counted).Should().Be((12L, 15L, 0));
        state.ApplyFilled(12, 1, 0).Should().BeTrue();
        state.ApplyFilled(12, 1, 0).Should().BeFalse();
        state.ApplyFilled(14, 1, 0).Should().BeFalse("13 is not in yet");
        state.GiveUp(15).Should().Be(2, "13 and 14 could not be served");

        state.NextGap(out _, out counted, out _).Should().BeFalse();
        counted.Should().Be(2);
        var s = state.Snapshot();
        (s.Count, s.Missed, s.Filling).Should().Be((5L, 2L, false));
        s.LastHalfUnits.Should().Be(18);
    }

    [Test]
    public void An_anchored_symbol_holds_its_first_live_trade_until_its_origin_is_known()
    {
        var state = new FeedSymbol("X", 100);
        state.Anchor(1_000);
        state.IsAnchored.Should().BeTrue();
        state.Anchor(5_000); // a later checkpoint of a symbol still waiting keeps the earlier anchor

        state.Apply(50, 7, 2_000).Result.Should().Be(TradeResult.Gap, "the trades since the anchor come first");
        state.NextGap(out var gap, out _, out _).Should().BeTrue();
        (gap.From, gap.ToExclusive, gap.FromTime).Should().Be((-1L, 50L, 1_000L));

        state.SetOrigin(45);
        state.NextGap(out gap, out _, out _).Should().BeTrue();
        (gap.From, gap.ToExclusive).Should().Be((45L, 50L));
        for (var id = 45; id < 50; id++)
        {
            state.ApplyFilled(id, 7, 1_500).Should().BeTrue();
        }

        state.NextGap(out _, out var counted, out _).Should().BeFalse();
        counted.Should().Be(1);
        state.Snapshot().Count.Should().Be(6);
    }

    [Test]
    public void Giving_a_gap_up_never_passes_a_trade_held_meanwhile()
    {
        var state = new FeedSymbol("X", 100);
        state.Apply(1, 1);
        state.Apply(20, 1).Result.Should().Be(TradeResult.Gap);
        state.NextGap(out var gap, out _, out _).Should().BeTrue();

        // While the back-fill was asking, another connection delivered 10.
        state.Apply(10, 3).Result.Should().Be(TradeResult.Held);
        state.GiveUp(gap.ToExclusive).Should().Be(8, "2..9 are given up; 10 is held and counts");

        state.NextGap(out gap, out var counted, out _).Should().BeTrue();
        (counted, gap.From, gap.ToExclusive).Should().Be((1, 11L, 20L));
        state.Snapshot().Count.Should().Be(2);
    }

    [Test]
    public void Trades_over_the_hold_bound_are_fetched_with_the_gap_not_lost()
    {
        var state = new FeedSymbol("X", 100, maxHeld: 2);
        state.Apply(1, 1);
        state.Apply(5, 1).Result.Should().Be(TradeResult.Gap);
        state.Apply(6, 1).Result.Should().Be(TradeResult.Held);
        state.Apply(7, 1).Result.Should().Be(TradeResult.Deferred);
        state.Apply(8, 1).Result.Should().Be(TradeResult.Deferred);

        state.NextGap(out var gap, out _, out _).Should().BeTrue();
        (gap.From, gap.ToExclusive).Should().Be((2L, 5L));
        for (var id = 2; id < 5; id++)
        {
            state.ApplyFilled(id, 1, 0).Should().BeTrue();
        }

        state.NextGap(out gap, out var counted, out _).Should().BeTrue("7 and 8 were seen but not kept");
        counted.Should().Be(2);
        (gap.From, gap.ToExclusive).Should().Be((7L, 9L));
        state.ApplyFilled(7, 1, 0).Should().BeTrue();
        state.ApplyFilled(8, 1, 0).Should().BeTrue();
        state.NextGap(out _, out _, out _).Should().BeFalse();
        state.Snapshot().Count.Should().Be(8);
    }

    [Test]
    public void Matches_a_naive_reference_on_random_deliveries([Range(1, 40)] int run)
    {
        var random = new Random(run);
        var total = random.Next(1, 400);
        var prices = Enumerable.Range(0, total).Select(_ => (long)random.Next(1, 50)).ToArray();
        var maxHeld = random.Next(1, 20);
        var unobtainable = Enumerable.Range(1, total - 1).Where(_ => random.NextDouble() < 0.03).ToHashSet();

        // Live delivery: each trade arrives with probability p, sometimes twice, a little out of order.
        var live = new List<int>();
        for (var id = 0; id < total; id++)
        {
            if (random.NextDouble() < 0.7)
            {
                live.Add(id);
            }

            if (random.NextDouble() < 0.1)
            {
                live.Add(Math.Max(0, id - random.Next(0, 5)));
            }
        }

        for (var i = 0; i + 1 < live.Count; i++)
        {
            if (random.NextDouble() < 0.1)
            {
                (live[i], live[i + 1]) = (live[i + 1], live[i]);
            }
        }

        var state = new FeedSymbol("X", 1_000, maxHeld);
        var givenUp = new HashSet<long>();
        var filling = false;
        foreach (var id in live)
        {
            var result = state.Apply(id, prices[id]).Result;
            filling |= result == TradeResult.Gap;

            // The back-fill runs now and then, concurrently in production: interleave its steps with live arrivals.
            if (filling && random.NextDouble() < 0.3)
            {
                filling = BackfillStep(state, prices, unobtainable, givenUp, random);
            }
        }

        while (BackfillStep(state, prices, unobtainable, givenUp, random))
        {
        }

        // The reference: every id from the first delivered one to the highest seen, once, but those given up.
        var first = live[0];
        var highest = live.Max();
        var expected = Enumerable.Range(first, highest - first + 1).Where(id => !givenUp.Contains(id)).Select(id => prices[id]).Order().ToArray();
        var snapshot = state.Snapshot();
        snapshot.Count.Should().Be(expected.Length);
        snapshot.Missed.Should().Be(givenUp.Count);
        snapshot.Filling.Should().BeFalse();
        snapshot.MedianHalfUnits.Should().Be(expected.Length % 2 == 1
            ? 2 * expected[expected.Length / 2]
            : expected[(expected.Length / 2) - 1] + expected[expected.Length / 2]);
        state.LastTradeId.Should().Be(highest);
    }

    // One pass of a back-fill that serves every id except the unobtainable ones; false once the gap is closed.
    private static bool BackfillStep(FeedSymbol state, long[] prices, HashSet<int> unobtainable, HashSet<long> givenUp, Random random)
    {
        if (!state.NextGap(out var gap, out _, out _))
        {
            return false;
        }

        for (var id = gap.From; id < gap.ToExclusive; id++)
        {
            if (unobtainable.Contains((int)id))
            {
                state.GiveUp(id + 1).Should().Be(1);
                givenUp.Add(id);
                continue;
            }

            state.ApplyFilled(id, prices[id], 0).Should().BeTrue();
            if (random.NextDouble() < 0.2)
            {
                break;
            }
        }

        return true;
    }
}
