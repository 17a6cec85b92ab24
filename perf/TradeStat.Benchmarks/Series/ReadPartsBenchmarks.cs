using BenchmarkDotNet.Attributes;
using TradeStat.Infrastructure.Series;

namespace TradeStat.Benchmarks.Series;

/// <summary>
/// The parts of one stats read (<see cref="StatsBenchmarks"/>) in isolation: a scan of stored values into a
/// summary, and one merge of two summaries. Used to see where a read's time goes.
/// </summary>
public class ReadPartsBenchmarks
{
    private double[] _values = [];
    private Summary _a;
    private Summary _b;

    [Params(10, 40, 64)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _values = SeriesData.PriceBatch(3, 64);
        _a = RunSummarizer.Summarize(_values.AsSpan(0, 64));
        _b = RunSummarizer.Summarize(SeriesData.PriceBatch(4, 64));
    }

    [Benchmark(Description = "scan")]
    public double Scan() => RunSummarizer.Summarize(_values.AsSpan(0, Length)).Moments.M2;

    [Benchmark(Description = "merge")]
    public double Merge() => Summary.Merge(_a, _b).Moments.M2;
}
