using BenchmarkDotNet.Attributes;
using TradeStat.Domain.Series;
using TradeStat.Infrastructure.Series;

namespace TradeStat.Benchmarks.Series;

/// <summary>
/// Store ingest cost per point for 10,000-value batches into windows that are already full (10^8 points held,
/// all 8 levels rolling). Reported per point (OperationsPerInvoke = batch size).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class IngestBenchmarks
{
    private const int BatchSize = 10_000;
    private SymbolSeries _series = null!;
    private double[][] _batches = null!;
    private int _next;

    [GlobalSetup]
    public void Fill()
    {
        _batches = Enumerable.Range(0, 16).Select(i => SeriesData.PriceBatch(i, BatchSize)).ToArray();
        _series = new SymbolSeries(SymbolSeries.DecadeWindows());
        var target = SeriesLimits.MaxWindow + (10 * BatchSize);
        for (long n = 0; n < target; n += BatchSize)
        {
            _series.Append(_batches[(int)(n / BatchSize) % _batches.Length]);
        }
    }

    [Benchmark(OperationsPerInvoke = BatchSize, Description = "append 10k batch into full windows (ns/point)")]
    public long AppendBatch() => _series.Append(_batches[_next++ & 15]);
}
