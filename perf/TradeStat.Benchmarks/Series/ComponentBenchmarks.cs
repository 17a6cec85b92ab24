using BenchmarkDotNet.Attributes;
using TradeStat.Domain.Series;
using TradeStat.Infrastructure.Series;

namespace TradeStat.Benchmarks.Series;

/// <summary>
/// The ingest cost of each part of a series, per point, in steady state (all 8 windows full): where the time
/// of <see cref="IngestBenchmarks"/> goes.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class ComponentBenchmarks
{
    private const int BatchSize = 10_000;
    private static readonly long[] Windows = SymbolSeries.DecadeWindows();
    private CompactValueRing _values = null!;   // the store part's own ring (the windows keep theirs)
    private readonly double[] _open = new double[CompactValueRing.SubLength];
    private SeriesWindows _windows = null!;
    private double[][] _batches = null!;
    private long _count;
    private int _next;

    [Params("windows", "store")]
    public string Part { get; set; } = "";

    [GlobalSetup]
    public void Fill()
    {
        _batches = Enumerable.Range(0, 16).Select(i => SeriesData.PriceBatch(i, BatchSize)).ToArray();
        var held = SeriesLimits.MaxWindow + (10 * BatchSize);
        if (Part == "windows")
        {
            _windows = new SeriesWindows(Windows, new CompactValueRing(SeriesWindows.Reach(SeriesLimits.MaxWindow), 16));
            for (var i = 0; _windows.Count < held; i++)
            {
                _windows.Append(_batches[i & 15]);
            }

            return;
        }

        // The store part fills its own ring as far, so that it too stores into reused chunks.
        _values = new CompactValueRing(SeriesWindows.Reach(SeriesLimits.MaxWindow), 16);
        for (_count = 0; _count < held;)
        {
            Store(_batches[(int)(_count / BatchSize) & 15]);
        }
    }

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public long Append()
    {
        var batch = _batches[_next++ & 15];
        if (Part == "windows")
        {
            _windows.Append(batch);
            return _windows.Count;
        }

        Store(batch);
        return _count;
    }

    /// <summary>Store only: the copy into the open sub-block and its encoding into the ring that every ingest pays.</summary>
    private void Store(double[] batch)
    {
        foreach (var x in batch)
        {
            _open[(int)(_count & (CompactValueRing.SubLength - 1))] = x;
            if ((++_count & (CompactValueRing.SubLength - 1)) == 0)
            {
                _values.Store((_count >> CompactValueRing.SubShift) - 1, _open);
            }
        }
    }
}
