using TradeStat.Domain.Series;

namespace TradeStat.Infrastructure.Series;

/// <summary>
/// One symbol's series: the last 10^8 values in a <see cref="ChunkedRing{T}"/> and the statistics of every
/// k level from <see cref="SeriesWindows"/>. Append is O(1) amortized per point (a bulk copy, one summary
/// pass per 64 values, a check per level per 64 values), stats O(1) for every k. Memory: 8.75 bytes per value
/// held (the value plus its share of a sub-block summary) and at most ~4 MB of window state, whatever the data.
/// </summary>
/// <remarks>
/// All calls take the series' lock: the seed promises no concurrent calls per symbol, so the lock is
/// uncontended and cheap, yet a broken promise can neither corrupt state nor expose half a batch.
/// </remarks>
internal sealed class SymbolSeries
{
    private readonly Lock _lock = new();
    private readonly ChunkedRing<double> _values;
    private readonly SeriesWindows _windows;

    /// <param name="windows">Window lengths, ascending.</param>
    /// <param name="chunkShift">log2 of the storage chunk length (16: 64 Ki values, 512 KiB); at least 6, so
    /// that a chunk holds whole sub-blocks.</param>
    public SymbolSeries(long[] windows, int chunkShift = 16)
    {
        ArgumentOutOfRangeException.ThrowIfZero(windows.Length);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkShift, SeriesWindows.SubShift);
        _values = new ChunkedRing<double>(SeriesWindows.Reach(windows.Max()), chunkShift);
        _windows = new SeriesWindows(windows, _values);
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
                return _windows.Count;
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
            _windows.Append(values);
            return _windows.Count;
        }
    }

    /// <summary>Statistics of window <paramref name="level"/> (0-based); false when nothing was added yet.</summary>
    public bool TryGetStats(int level, out SeriesStats stats)
    {
        lock (_lock)
        {
            var count = _windows.Count;
            if (count == 0)
            {
                stats = default;
                return false;
            }

            var summary = _windows.Read(level);
            var (min, max, moments) = (summary.Min, summary.Max, summary.Moments);
            double avg, variance;
            if (min == max)
            {
                // Every value in the window is the same: the answer is exact by definition.
                avg = min;
                variance = 0.0;
            }
            else
            {
                // Rounding can put the mean a hair outside [min, max]; overflow (|x| near 1.8e308) makes it NaN.
                avg = moments.Mean.Value;
                avg = double.IsNaN(avg) ? (min * 0.5) + (max * 0.5) : Math.Clamp(avg, min, max);
                variance = Math.Min(moments.Variance, double.MaxValue);
            }

            stats = new SeriesStats(moments.Count, min, max, _values[count - 1], avg, variance);
            return true;
        }
    }
}
