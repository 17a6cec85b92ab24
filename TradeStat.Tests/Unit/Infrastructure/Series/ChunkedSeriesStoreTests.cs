using TradeStat.Domain.Series;
using TradeStat.Infrastructure.Series;

namespace TradeStat.Tests.Unit.Infrastructure.Series;

[TestFixture]
[Category("Unit")]
public sealed class ChunkedSeriesStoreTests
{
    private static ChunkedSeriesStore NewStore(int maxSymbols = 10) =>
        new(maxSymbols, () => new SymbolSeries([10, 100, 1000], chunkShift: 6));

    [Test]
    public void Symbols_are_case_sensitive_and_independent()
    {
        var store = NewStore();
        store.TryAppend("AAPL", new double[] { 1, 2, 3 }, out var upper).Should().BeTrue();
        store.TryAppend("aapl", new double[] { 10 }, out var lower).Should().BeTrue();
        upper.Should().Be(3);
        lower.Should().Be(1);
        store.TryGetStats("AAPL", WindowLevel.Create(1), out var stats).Should().BeTrue();
        stats.Last.Should().Be(3);
        store.SymbolCount.Should().Be(2);
    }

    [Test]
    public void A_new_symbol_past_the_limit_is_refused_and_nothing_changes()
    {
        var store = NewStore(maxSymbols: 2);
        store.TryAppend("A", new double[] { 1 }, out _).Should().BeTrue();
        store.TryAppend("B", new double[] { 2 }, out _).Should().BeTrue();

        store.TryAppend("C", new double[] { 3 }, out var count).Should().BeFalse();
        count.Should().Be(0);
        store.TryGetStats("C", WindowLevel.Create(1), out _).Should().BeFalse();
        store.SymbolCount.Should().Be(2);

        // Existing symbols still accept data.
        store.TryAppend("A", new double[] { 4 }, out var a).Should().BeTrue();
        a.Should().Be(2);
    }

    [Test]
    public void Unknown_symbol_has_no_stats() =>
        NewStore().TryGetStats("NOPE", WindowLevel.Create(3), out _).Should().BeFalse();

    [Test]
    public void Concurrent_creation_never_exceeds_the_symbol_limit()
    {
        var store = NewStore(maxSymbols: 5);
        var accepted = 0;
        Parallel.For(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            if (store.TryAppend($"S{i % 40}", new double[] { i }, out _))
            {
                Interlocked.Increment(ref accepted);
            }
        });

        store.SymbolCount.Should().Be(5);
        accepted.Should().Be(25, "200 appends over 40 symbols is 5 per symbol, and 5 symbols exist");
    }

    [Test]
    public void Concurrent_batches_on_one_symbol_are_atomic_and_none_is_lost()
    {
        // Every batch is ten copies of one value, so the last-10 window is always exactly one batch:
        // a reader that ever saw half of a batch would see two distinct values.
        var store = NewStore();
        const int writers = 4;
        const int batchesPerWriter = 2_000;
        var torn = 0;
        var done = 0;

        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            while (Volatile.Read(ref done) == 0)
            {
                if (store.TryGetStats("X", WindowLevel.Create(1), out var s) && s.Count == 10 && s.Min != s.Max)
                {
                    Interlocked.Increment(ref torn);
                }
            }
        })).ToArray();

        Parallel.For(0, writers, w =>
        {
            var batch = new double[10];
            for (var b = 0; b < batchesPerWriter; b++)
            {
                Array.Fill(batch, (w * 1_000_000) + b);
                store.TryAppend("X", batch, out _).Should().BeTrue();
            }
        });

        Volatile.Write(ref done, 1);
        Task.WaitAll(readers);

        torn.Should().Be(0);
        store.TryGetStats("X", WindowLevel.Create(3), out var final).Should().BeTrue();
        final.Count.Should().Be(1000);
        store.TryAppend("X", new double[] { 0 }, out var count).Should().BeTrue();
        count.Should().Be((writers * batchesPerWriter * 10) + 1);
    }

    [Test]
    public void The_level_picks_the_window_by_its_position() =>
        // The test store's windows are 10, 100 and 1000: level k reads the k-th of them.
        Enumerable.Range(1, 3).Should().AllSatisfy(k =>
        {
            var store = NewStore();
            store.TryAppend("A", Enumerable.Range(0, 2000).Select(i => (double)i).ToArray(), out _).Should().BeTrue();
            store.TryGetStats("A", WindowLevel.Create(k), out var stats).Should().BeTrue();
            stats.Count.Should().Be((long)Math.Pow(10, k));
        });
}
