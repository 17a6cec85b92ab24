using TradeStat.Domain.Series;

namespace TradeStat.Infrastructure.Series;

/// <summary>
/// One symbol's series: the last 10^8 values in <see cref="ValueChunks"/> and, per k level, rolling moments
/// plus the shared min/max deques. Append is O(levels) amortized per point, stats O(1) for every k.
/// Memory: 8 bytes per value held, plus up to 4 bytes per value in the deques for monotonic data.
/// </summary>
/// <remarks>
/// Re-anchoring: each level keeps a live accumulator (adds the new point, removes the point leaving the
/// window) and a fresh one that only adds. Every w = 10^k points the fresh accumulator has seen exactly the
/// window, so it replaces the live one and a new fresh one starts, anchored at the next value. No accumulator
/// lives longer than 2w points, so no rounding error can outlive it, and the work is one extra add per
/// point and level — spread evenly, no latency spike. All calls take the series' lock: the seed promises no
/// concurrent calls per symbol, so the lock is uncontended and cheap, yet a broken promise cannot corrupt state.
/// </remarks>
internal sealed class SymbolSeries
{
    private readonly Lock _lock = new();
    private readonly long[] _windows;
    private readonly ValueChunks _values;
    private readonly RollingMoments[] _live;
    private readonly RollingMoments[] _fresh;
    private readonly long[] _untilSwap;
    private readonly WindowExtremes _min;
    private readonly WindowExtremes _max;
    private long _count;
    private double _last;

    /// <param name="windows">Window lengths ascending; the last one is the number of values retained.</param>
    /// <param name="chunkShift">log2 of the storage chunk length.</param>
    public SymbolSeries(long[] windows, int chunkShift = 16)
    {
        ArgumentOutOfRangeException.ThrowIfZero(windows.Length);
        _windows = windows;
        _values = new ValueChunks(windows[^1], chunkShift);
        _live = new RollingMoments[windows.Length];
        _fresh = new RollingMoments[windows.Length];
        _untilSwap = (long[])windows.Clone();
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
            var min = _values.Get(_min.ExtremeIndex(level, newest));
            var max = _values.Get(_max.ExtremeIndex(level, newest));
            ref readonly var moments = ref _live[level];

            double avg, variance;
            if (min == max)
            {
                // Every value in the window is the same: the answer is exact by definition.
                avg = min;
                variance = 0.0;
            }
            else
            {
                avg = Math.Clamp(moments.Mean(), min, max);
                variance = moments.Variance();
                if (double.IsNaN(avg))
                {
                    // Only when |values| near double.MaxValue overflowed the sums: report the midrange.
                    avg = (min * 0.5) + (max * 0.5);
                }

                if (double.IsInfinity(variance))
                {
                    variance = double.MaxValue;
                }
            }

            stats = new SeriesStats(moments.Count, min, max, _last, avg, variance);
            return true;
        }
    }

    private void AppendOne(double x)
    {
        var index = _count;
        var windows = _windows;
        for (var level = 0; level < windows.Length; level++)
        {
            ref var live = ref _live[level];
            if (index >= windows[level])
            {
                live.Remove(_values.Get(index - windows[level]));
            }

            live.Add(x);
            _fresh[level].Add(x);
            if (--_untilSwap[level] == 0)
            {
                // The fresh accumulator has seen exactly the current window: it becomes the live one.
                live = _fresh[level];
                _fresh[level].Clear();
                _untilSwap[level] = windows[level];
            }
        }

        // Written after the removals: the slot being reused may hold the value that just left the largest window.
        _values.Set(index, x);
        _min.Push(index, x, _values);
        _max.Push(index, x, _values);
        _last = x;
        _count = index + 1;
    }
}
