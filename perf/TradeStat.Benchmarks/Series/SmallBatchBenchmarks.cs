using BenchmarkDotNet.Attributes;
using TradeStat.Domain.Series;
using TradeStat.Infrastructure.Series;

namespace TradeStat.Benchmarks.Series;

/// <summary>
/// Cost of one append call of 1, 100 or 10,000 values into windows that are already full (10^8 points held),
/// reported per call: what a small batch pays for the per-call work (composing every window's summary).
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class SmallBatchBenchmarks
{
    private SymbolSeries _series = null!;
    private double[][] _batches = null!;
    private int _next;

    [Params(1, 100, 10_000)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void Fill()
    {
        var fill = SeriesData.PriceBatch(0, 10_000);
        _series = new SymbolSeries(SymbolSeries.DecadeWindows());
        for (long n = 0; n < SeriesLimits.MaxWindow + 10_000; n += fill.Length)
        {
            _series.Append(fill);
        }

        _batches = new double[16][];
        for (var i = 0; i < _batches.Length; i++)
        {
            _batches[i] = SeriesData.PriceBatch(i + 1, BatchSize);
        }
    }

    [Benchmark(Description = "append call into full windows (ns/call)")]
    public long AppendCall() => _series.Append(_batches[_next++ & 15]);
}
