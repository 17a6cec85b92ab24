using BenchmarkDotNet.Attributes;
using TradeStat.Domain.Series;
using TradeStat.Infrastructure.Series;

namespace TradeStat.Benchmarks.Series;

/// <summary>
/// Engine cost of one stats read for every k, with 10^3 and with 10^8 points held: O(1) means the two
/// columns match. In-process so that the 10^8-point series is filled once for all cases.
/// </summary>
[Config(typeof(InProcessConfig))]
public class StatsBenchmarks
{
    private static readonly Dictionary<long, SymbolSeries> Filled = [];
    private SymbolSeries _series = null!;

    [Params(1_000L, 100_000_000L)]
    public long Held { get; set; }

    [Params(1, 2, 3, 4, 5, 6, 7, 8)]
    public int K { get; set; }

    [GlobalSetup]
    public void Fill()
    {
        if (!Filled.TryGetValue(Held, out var series))
        {
            series = new SymbolSeries(SymbolSeries.DecadeWindows());
            for (long n = 0; n < Held; n += 10_000)
            {
                var size = (int)Math.Min(10_000, Held - n);
                series.Append(SeriesData.PriceBatch((int)(n / 10_000), size));
            }

            Filled[Held] = series;
        }

        _series = series;
    }

    [Benchmark(Description = "stats read")]
    public SeriesStats Read()
    {
        _series.TryGetStats(K - 1, out var stats);
        return stats;
    }
}
