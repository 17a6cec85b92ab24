using BenchmarkDotNet.Attributes;
using TradeStat.Domain.Feed;
using TradeStat.Infrastructure.Feed;

namespace TradeStat.Benchmarks.Feed;

/// <summary>
/// Cost of adding one price and keeping the median readable in O(1): <see cref="StreamingMedian"/> (counts per distinct
/// price, O(log d), memory O(d)) against the classic two-heap median (O(log n), memory O(n)), on 1,000,000 prices:
/// the BTCUSDT recording's prices cycled (few distinct), or a random walk at 0.01 ticks (many distinct).
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class MedianBenchmarks
{
    private const int N = 1_000_000;
    private long[] _prices = null!;

    [Params("btcusdt", "walk")]
    public string Stream { get; set; } = "";

    [GlobalSetup]
    public void Load()
    {
        if (Stream == "btcusdt")
        {
            var recorded = FeedData.TradeLines(1)
                .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("data"))
                .Where(d => d.GetProperty("s").GetString() == "BTCUSDT")
                .Select(d => ScaledPrice.Parse(d.GetProperty("p").GetString()!))
                .ToArray();
            _prices = Enumerable.Range(0, N).Select(i => recorded[i % recorded.Length]).ToArray();
        }
        else
        {
            var random = new Random(7);
            long p = 6_000_000_000_000;
            _prices = Enumerable.Range(0, N).Select(_ => p += random.Next(-5, 6) * 1_000_000L).ToArray();
        }
    }

    [Benchmark(OperationsPerInvoke = N)]
    public long Streaming()
    {
        var median = new StreamingMedian();
        foreach (var p in _prices)
        {
            median.Add(p);
        }

        return median.MedianHalfUnits;
    }

    [Benchmark(OperationsPerInvoke = N, Baseline = true)]
    public long TwoHeaps()
    {
        var median = new TwoHeapMedian();
        foreach (var p in _prices)
        {
            median.Add(p);
        }

        return median.MedianHalfUnits;
    }
}

/// <summary>The textbook two-heap running median: a max-heap of the lower half, a min-heap of the upper half.</summary>
public sealed class TwoHeapMedian
{
    private readonly PriorityQueue<long, long> _low = new();  // max-heap via negated priority
    private readonly PriorityQueue<long, long> _high = new(); // min-heap

    public long MedianHalfUnits { get; private set; }

    public void Add(long price)
    {
        if (_low.Count == 0 || price <= _low.Peek())
        {
            _low.Enqueue(price, -price);
        }
        else
        {
            _high.Enqueue(price, price);
        }

        if (_low.Count > _high.Count + 1)
        {
            var x = _low.Dequeue();
            _high.Enqueue(x, x);
        }
        else if (_high.Count > _low.Count)
        {
            var x = _high.Dequeue();
            _low.Enqueue(x, -x);
        }

        MedianHalfUnits = _low.Count > _high.Count ? 2 * _low.Peek() : _low.Peek() + _high.Peek();
    }
}
