using BenchmarkDotNet.Attributes;
using TradeStat.Domain.Series;
using TradeStat.Infrastructure.Series;

namespace TradeStat.Benchmarks.Engine;

/// <summary>
/// The ingest cost of each part of a series, per point, in steady state (all 8 windows full): where the time
/// of <see cref="IngestBenchmarks"/> goes.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class ComponentBenchmarks
{
    private const int BatchSize = 10_000;
    private static readonly long[] Windows = SymbolSeries.DecadeWindows();
    private ChunkedRing<double> _values = null!;
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
        _values = new ChunkedRing<double>(SeriesWindows.Reach(SeriesLimits.MaxWindow), 16);
        _windows = new SeriesWindows(Windows, _values);
        while (_count < SeriesLimits.MaxWindow + (10 * BatchSize))
        {
            Append();
        }
    }

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public long Append()
    {
        var batch = _batches[_next++ & 15];
        var part = Part;
        foreach (var x in batch)
        {
            var i = _count++;
            _values.Set(i, x);
            if (part == "windows")
            {
                _windows.Add(x);
            }
        }

        return _count;
    }
}
