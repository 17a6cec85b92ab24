using TradeStat.Domain.Series;

namespace TradeStat.Infrastructure.Series;

/// <summary>
/// One symbol's series: the last 10^8 values in a <see cref="ChunkedRing{T}"/>, count/mean/variance for every
/// k level from <see cref="SeriesMoments"/>, and min/max deques shared by all levels. Append is O(levels)
/// amortized per point, stats O(1) for every k. Memory: 8.5 bytes per value held (values plus sub-block
/// summaries), plus up to 4 bytes per value in the deques for monotonic data.
/// </summary>
/// <remarks>
/// All calls take the series' lock: the seed promises no concurrent calls per symbol, so the lock is
/// uncontended and cheap, yet a broken promise can neither corrupt state nor expose half a batch.
/// </remarks>
internal sealed class SymbolSeries
{
    private readonly Lock _lock = new();
    private readonly ChunkedRing<double> _values;
    private readonly SeriesMoments _moments;
    private readonly WindowExtremes _min;
    private readonly WindowExtremes _max;
    private long _count;
    private double _last;

    /// <param name="windows">Window lengths, ascending.</param>
    /// <param name="chunkShift">log2 of the storage chunk length (16: 64 Ki values, 512 KiB).</param>
    public SymbolSeries(long[] windows, int chunkShift = 16)
    {
        ArgumentOutOfRangeException.ThrowIfZero(windows.Length);
        _values = new ChunkedRing<double>(SeriesMoments.Reach(windows[^1]), chunkShift);
        _moments = new SeriesMoments(windows, _values);
        _min = new WindowExtremes(isMax: false, windows);
        _max = new WindowExtremes(isMax: true, windows);
    }

    /// <summary>Windows of the seed: 10^1 … 10^8.</summary>
    public static long[] DecadeWindows()
    {
        var windows = new long[SeriesLimits.LevelCount];
        for (var k = SeriesLimits.MinK; k <= SeriesLimits.MaxK; k++)
        {
            windows[k - SeriesLimits.MinK] = SeriesLimits.Window(k);
        }

        return windows;
    }

    public long Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>Storage chunks allocated (for memory accounting and tests).</summary>
    internal int AllocatedChunks => _values.AllocatedChunks;

    /// <summary>Appends values oldest first, atomically with respect to readers; returns the new count.</summary>
    public long Append(ReadOnlySpan<double> values)
    {
        lock (_lock)
        {
            foreach (var x in values)
            {
                AppendOne(x);
            }

            return _count;
        }
    }

    /// <summary>Statistics of window <paramref name="level"/> (0-based); false when nothing was added yet.</summary>
    public bool TryGetStats(int level, out SeriesStats stats)
    {
        lock (_lock)
        {
            if (_count == 0)
            {
                stats = default;
                return false;
            }

            var newest = _count - 1;
            var min = _values[_min.ExtremeIndex(level, newest)];
            var max = _values[_max.ExtremeIndex(level, newest)];
            var moments = _moments.Read(level);

            double avg, variance;
            if (min == max)
            {
                // Every value in the window is the same: the answer is exact by definition.
                avg = min;
                variance = 0.0;
            }
            else
            {
                avg = moments.Mean.Value;

                // Rounding can put the mean a hair outside [min, max]; overflow (|x| near 1.8e308) makes it NaN.
                avg = double.IsNaN(avg) ? (min * 0.5) + (max * 0.5) : Math.Clamp(avg, min, max);
                variance = Math.Min(moments.Variance, double.MaxValue);
            }

            stats = new SeriesStats(moments.Count, min, max, _last, avg, variance);
            return true;
        }
    }

    private void AppendOne(double x)
    {
        var index = _count;
        _values.Set(index, x);
        _moments.Add(x);

        _min.Push(index, x, _values);
        _max.Push(index, x, _values);
        _last = x;
        _count = index + 1;
    }
}
