using BenchmarkDotNet.Attributes;
using TradeStat.Infrastructure.Series;

namespace TradeStat.Benchmarks.Series;

/// <summary>
/// Cost per value of the exact (long-accumulator) sum that answers the rare windows whose mean cancels beyond
/// double-double: what a first exact read of a full 10^8 window costs, and each later read per value moved.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class ExactSumBenchmarks
{
    private const int Length = 1 << 20;
    private readonly ExactSum _sum = new();
    private double[] _values = null!;

    [Params("prices", "wide")]
    public string Data { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _values = new double[Length];
        for (var i = 0; i < Length; i++)
        {
            _values[i] = Data == "prices"
                ? Math.Round(60_000 + (random.NextDouble() * 1000), 2)
                : Math.ScaleB(1.0 + random.NextDouble(), random.Next(-300, 300)) * (i % 2 == 0 ? 1 : -1);
        }
    }

    [Benchmark(OperationsPerInvoke = Length)]
    public double Add()
    {
        _sum.Clear();
        _sum.Add(_values);
        return _sum.DivideBy(Length);
    }
}
