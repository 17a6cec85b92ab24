using System.Buffers;
using System.Numerics;
using System.Text;
using TradeStat.Domain.Batch;
using TradeStat.Infrastructure.Batch;

namespace TradeStat.Tests.Unit.Infrastructure.Batch;

[TestFixture]
[Category("Unit")]
public sealed class MetricTests
{
    private static readonly (long Ts, string Symbol, long Q, long P)[] Sample =
    [
        (52924702, "aaa", 13, 1136), (52924702, "aac", 20, 477), (52925641, "aab", 31, 907), (52927350, "aab", 29, 724),
        (52927783, "aac", 21, 638), (52930489, "aaa", 18, 1222), (52931654, "aaa", 9, 1077), (52933453, "aab", 9, 756),
    ];

    [Test]
    public void The_sample_trades_give_the_sample_output()
    {
        var symbols = new SymbolTable();
        var trades = new TradeAggregation<ReportMetrics>();
        foreach (var (ts, symbol, q, p) in Sample)
        {
            trades.Observe(symbols.GetOrAdd(Encoding.ASCII.GetBytes(symbol)), new Trade(ts, q, p));
        }

        Write(trades, symbols).Should().Be("aaa,5787,40,1161,1222\naab,6103,69,810,907\naac,3081,41,559,638\n");
    }

    [Test]
    public void The_weighted_average_of_the_worked_example_is_15()
    {
        var wap = default(WeightedAveragePrice);
        wap.Start(new Trade(1, 20, 18));
        wap.Observe(new Trade(2, 5, 7));
        wap.Value.Should().Be(15);
    }

    [Test]
    public void One_trade_has_a_gap_of_zero()
    {
        var gap = default(MaxTimeGap);
        gap.Start(new Trade(123, 1, 1));
        gap.Value.Should().Be(0);
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(4)]
    [TestCase(5)]
    public void Merging_partials_split_anywhere_equals_one_sequential_pass(int seed)
    {
        var random = new Random(seed);
        var trades = new List<(int Symbol, Trade Trade)>();
        long time = 0;
        for (var i = 0; i < 2_000; i++)
        {
            time += random.Next(3) == 0 ? 0 : random.Next(1, 1000);
            var huge = random.Next(5) == 0;
            trades.Add((random.Next(7), new Trade(time, huge ? long.MaxValue - random.Next(9) : random.Next(1, 100),
                huge ? long.MaxValue - random.Next(9) : random.Next(1, 100))));
        }

        var symbols = new SymbolTable();
        for (var i = 0; i < 7; i++)
        {
            symbols.GetOrAdd(Encoding.ASCII.GetBytes($"s{i}"));
        }

        var whole = new TradeAggregation<ReportMetrics>();
        foreach (var (symbol, trade) in trades)
        {
            whole.Observe(symbol, trade);
        }

        // Cut into random pieces, aggregate each separately, merge in order.
        var merged = new TradeAggregation<ReportMetrics>();
        var at = 0;
        while (at < trades.Count)
        {
            var piece = new TradeAggregation<ReportMetrics>(1);
            var length = random.Next(0, 300);
            for (var i = at; i < Math.Min(trades.Count, at + length); i++)
            {
                piece.Observe(trades[i].Symbol, trades[i].Trade);
            }

            merged.MergeFrom(piece);
            at += length;
        }

        Write(merged, symbols).Should().Be(Write(whole, symbols)).And.Be(Naive(trades, symbols));
    }

    [Test]
    public void Deferred_observations_equal_immediate_ones_on_any_universe([Range(1, 16)] int seed)
    {
        // ObserveSoon applies a trade a few trades later: from a few symbols (applied at once) to thousands (the
        // ring in use), with first trades, merges of the pieces and reuse after Clear, as the parser and the merge
        // use them.
        var random = new Random(seed);
        var symbolCount = seed % 4 == 0 ? random.Next(1, 40) : random.Next(1_000, 9_000);
        var symbols = new SymbolTable();
        for (var i = 0; i < symbolCount; i++)
        {
            symbols.GetOrAdd(Encoding.ASCII.GetBytes($"s{i}"));
        }

        var trades = RandomTrades(random, seed, symbolCount);
        var immediate = new TradeAggregation<ReportMetrics>();
        var deferred = InPieces(trades, random, immediate, (piece, id, trade) => piece.ObserveSoon(id, trade));

        Write(deferred, symbols).Should().Be(Write(immediate, symbols)).And.Be(Naive(trades, symbols));
    }

    [Test]
    public void Letter_states_equal_states_by_id_on_any_universe([Range(1, 16)] int seed)
    {
        // As the parser does: letter symbols by ObserveLetters (their states at their letter keys; a symbol whose key
        // another one owns goes on by id), the others by ObserveSoon, in pieces merged in order and reused after
        // Clear; against every trade by id in one aggregation, and the naive reference. Universes from a few symbols
        // to thousands (the ring in use), with colliding keys: 'a'–'e' and 'A'–'E' share keys, as do '@' and '`'.
        var random = new Random(seed);
        var symbolCount = seed % 4 == 0 ? random.Next(1, 40) : random.Next(1_000, 9_000);
        const string letterBytes = "abcdeABCDE@`xyz{|}~[]^_";
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (names.Count < symbolCount)
        {
            names.Add(random.Next(8) == 0
                ? $"s{random.Next(100)}" // not a letter symbol (a digit; or two bytes)
                : new string([letterBytes[random.Next(letterBytes.Length)], letterBytes[random.Next(letterBytes.Length)], letterBytes[random.Next(letterBytes.Length)]]));
        }

        var universe = names.ToArray();
        var byId = new SymbolTable(); // ids 0 .. count − 1 in the universe's order, as RandomTrades gives them
        foreach (var name in universe)
        {
            byId.GetOrAdd(Encoding.ASCII.GetBytes(name));
        }

        var symbols = new SymbolTable();
        var trades = RandomTrades(random, seed, universe.Length);
        var immediate = new TradeAggregation<ReportMetrics>();
        var deferred = InPieces(trades, random, immediate, (piece, id, trade) =>
        {
            piece.UseLetters(symbols);
            var name = byId.Name(id);
            var word = name.Length == 3 ? name[0] | ((uint)name[1] << 8) | ((uint)name[2] << 16) | ((uint)',' << 24) : 0;
            if (SymbolTable.IsLetters(word))
            {
                piece.ObserveLetters(word & 0xFFFFFF, trade);
            }
            else
            {
                piece.ObserveSoon(symbols.GetOrAdd(name), trade);
            }
        });

        var expected = Naive(trades, byId);
        Write(immediate, byId).Should().Be(expected);
        Write(deferred, symbols).Should().Be(expected);
        deferred.SymbolCount.Should().Be(immediate.SymbolCount);
    }

    [Test]
    public void A_released_aggregation_is_empty_and_takes_letter_symbols_again()
    {
        var symbols = new SymbolTable();
        var trades = new TradeAggregation<ReportMetrics>();
        trades.UseLetters(symbols);
        trades.ObserveLetters(Letters("abc"), new Trade(1, 2, 3));
        trades.ApplyPending();
        Write(trades, symbols).Should().Be("abc,0,2,3,3\n");

        trades.Release();
        Write(trades, symbols).Should().BeEmpty();
        trades.ObserveLetters(Letters("xyz"), new Trade(5, 1, 7));
        trades.ObserveLetters(Letters("xyz"), new Trade(9, 3, 11));
        trades.ApplyPending();
        Write(trades, symbols).Should().Be("xyz,4,4,10,11\n");
    }

    [Test]
    public void Sums_of_huge_products_do_not_overflow()
    {
        var wap = default(WeightedAveragePrice);
        var volume = default(Volume);
        var trade = new Trade(0, long.MaxValue, long.MaxValue);
        wap.Start(trade);
        volume.Start(trade);
        for (var i = 0; i < 1_000; i++)
        {
            wap.Observe(trade);
            volume.Observe(trade);
        }

        wap.Value.Should().Be((UInt128)long.MaxValue);
        volume.Value.Should().Be((UInt128)long.MaxValue * 1_001);
    }

    [Test]
    public void WideSum_adds_and_divides_exactly_past_128_bits()
    {
        var random = new Random(42);
        var sum = default(WideSum);
        var other = default(WideSum);
        BigInteger exact = 0;
        for (var i = 0; i < 10_000; i++)
        {
            var a = (ulong)random.NextInt64() | 1UL << 62;
            var b = (ulong)random.NextInt64();
            var high = Math.BigMul(a, b, out var low);
            if (i % 2 == 0)
            {
                sum.Add(high, low);
            }
            else
            {
                other.Add(high, low);
            }

            exact += (BigInteger)a * b;
        }

        sum.Add(other);
        sum.ToBigInteger().Should().Be(exact);
        exact.Should().BeGreaterThan((BigInteger)UInt128.MaxValue);
        sum.DivideTruncated(1_000_003).Should().Be((UInt128)(exact / 1_000_003));
    }

    // 1 to 60,000 trades in time order (a third at the time of the one before) of symbols 0 .. count − 1, drawn
    // uniformly for an even seed, a few carrying most for an odd one.
    private static List<(int Symbol, Trade Trade)> RandomTrades(Random random, int seed, int count)
    {
        var trades = new List<(int Symbol, Trade Trade)>();
        long time = 0;
        for (var i = random.Next(1, 60_000); i > 0; i--)
        {
            time += random.Next(3) == 0 ? 0 : random.Next(1, 1000);
            var symbol = seed % 2 == 0 ? random.Next(count) : (int)(Math.Pow(random.NextDouble(), 3) * count);
            trades.Add((symbol, new Trade(time, random.Next(1, 100_000), random.Next(1, 100_000))));
        }

        return trades;
    }

    // Every trade into `immediate` at once, and by `observe` into pieces of up to 20,000 trades, as the parser fills a
    // segment: each piece's pending trades applied, the piece merged in order into the aggregation returned, then
    // cleared and reused.
    private static TradeAggregation<ReportMetrics> InPieces(List<(int Symbol, Trade Trade)> trades, Random random,
        TradeAggregation<ReportMetrics> immediate, Action<TradeAggregation<ReportMetrics>, int, Trade> observe)
    {
        var merged = new TradeAggregation<ReportMetrics>();
        var piece = new TradeAggregation<ReportMetrics>(1);
        var at = 0;
        while (at < trades.Count)
        {
            var end = Math.Min(trades.Count, at + random.Next(0, 20_000));
            for (; at < end; at++)
            {
                immediate.Observe(trades[at].Symbol, trades[at].Trade);
                observe(piece, trades[at].Symbol, trades[at].Trade);
            }

            piece.ApplyPending();
            merged.MergeFrom(piece);
            piece.Clear();
        }

        return merged;
    }

    private static string Write(TradeAggregation<ReportMetrics> trades, SymbolTable symbols)
    {
        var output = new ArrayBufferWriter<byte>();
        trades.WriteCsv(symbols, output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static string Naive(List<(int Symbol, Trade Trade)> trades, SymbolTable symbols)
    {
        var text = new StringBuilder();
        foreach (var group in trades.GroupBy(t => Encoding.ASCII.GetString(symbols.Name(t.Symbol))).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var list = group.Select(t => t.Trade).ToList();
            var gap = list.Zip(list.Skip(1), (a, b) => b.Timestamp - a.Timestamp).DefaultIfEmpty(0).Max();
            var volume = list.Aggregate(BigInteger.Zero, (s, t) => s + t.Quantity);
            var notional = list.Aggregate(BigInteger.Zero, (s, t) => s + (BigInteger)t.Quantity * t.Price);
            text.Append($"{group.Key},{gap},{volume},{notional / volume},{list.Max(t => t.Price)}\n");
        }

        return text.ToString();
    }

    private static uint Letters(string symbol) => symbol[0] | ((uint)symbol[1] << 8) | ((uint)symbol[2] << 16);
}
