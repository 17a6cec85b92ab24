using System.Runtime.CompilerServices;
using TradeStat.Domain.Series;

namespace TradeStat.Infrastructure.Series;

/// <summary>
/// One symbol's series: the last 10^8 values in a <see cref="ChunkedRing{T}"/> and the statistics of every
/// k level from <see cref="SeriesWindows"/>. Append is O(1) amortized per point (a bulk copy, one summary
/// pass per 64 values, a check per level per 64 values), stats O(1) for every k. Memory: 8.75 bytes per value
/// held (the value plus its share of a sub-block summary), at most ~4 MB of window state, whatever the data,
/// and 0.6 KB per level whose mean ever needed the exact path.
/// </summary>
/// <remarks>
/// All calls take the series' lock: the seed promises no concurrent calls per symbol, so the lock is
/// uncontended and cheap, yet a broken promise can neither corrupt state nor expose half a batch.
/// </remarks>
internal sealed class SymbolSeries
{
    /// <summary>
    /// Bound on the absolute error of the double-double mean, as a multiple of the window's largest |value|:
    /// a 64-value Sum2 pass errs by under 2^-87, each of at most ~2^15 chained merges by under 2^-102, so
    /// 2^-78 leaves a margin of 2^8.
    /// </summary>
    private const double MeanErrorFactor = 1.0 / (1L << 39) / (1L << 39); // 2^-78

    /// <summary>Below ~2^-1000 double-double loses bits to underflow: those windows take the exact path too.</summary>
    private static readonly double UnderflowFloor = Math.ScaleB(1.0, -1000);

    /// <summary>The fast mean is used when its error bound is below 2^-43 (~1.1e-13) of its magnitude.</summary>
    private const double MeanTolerance = 1.0 / (1L << 43);

    private readonly Lock _lock = new();
    private readonly ChunkedRing<double> _values;
    private readonly SeriesWindows _windows;
    private readonly long[] _windowLengths;
    private readonly long _stored;           // values kept readable behind the newest one
    private ExactWindowSum?[]? _exact;       // per level, made on first use by the rare exact path

    /// <param name="windows">Window lengths, ascending.</param>
    /// <param name="chunkShift">log2 of the storage chunk length (16: 64 Ki values, 512 KiB); at least 6, so
    /// that a chunk holds whole sub-blocks.</param>
    public SymbolSeries(long[] windows, int chunkShift = 16)
    {
        ArgumentOutOfRangeException.ThrowIfZero(windows.Length);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkShift, SeriesWindows.SubShift);
        _windowLengths = (long[])windows.Clone();
        _stored = SeriesWindows.Reach(windows.Max());
        _values = new ChunkedRing<double>(_stored, chunkShift);
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

    /// <summary>Reads that needed the exact mean (near-total cancellation), and values the exact path has summed.</summary>
    internal (long Reads, long ValuesSummed) ExactPathUse { get; private set; }

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
                // Rounding can put the mean a hair outside [min, max]. When the mean is the near-total cancellation
                // of much larger values, or overflowed (|x| near 1.8e308), double-double has no digits left: the
                // window is then summed exactly (rare; incremental between reads).
                avg = moments.Mean.Value;
                if (!IsMeanAccurate(avg, Math.Max(Math.Abs(min), Math.Abs(max))))
                {
                    avg = ExactMean(level, count, moments.Count);
                }

                avg = Math.Clamp(avg, min, max);
                variance = Math.Min(moments.Variance, double.MaxValue);
            }

            stats = new SeriesStats(moments.Count, min, max, _values[count - 1], avg, variance);
            return true;
        }
    }

    /// <summary>True when the double-double mean is certainly within <see cref="MeanTolerance"/> of the exact one.</summary>
    private static bool IsMeanAccurate(double avg, double largest)
    {
        var bound = (largest * MeanErrorFactor) + UnderflowFloor;
        return double.IsFinite(avg) && bound <= MeanTolerance * (Math.Abs(avg) - bound);
    }

    /// <summary>
    /// The exact mean of window <paramref name="level"/>: its cached exact sum moved to the window's current
    /// position (subtract the values that left, add those that came), or rebuilt when that is cheaper or the
    /// values that left are no longer stored. O(values moved since the last exact read of this level).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private double ExactMean(int level, long count, long n)
    {
        _exact ??= new ExactWindowSum?[_windowLengths.Length];
        var exact = _exact[level] ??= new ExactWindowSum();
        var start = count - n;
        var moved = Math.Abs(start - exact.From) + (count - exact.To);
        var oldestStored = count - _stored + 1;
        var summed = 0L;
        if (exact.From < oldestStored || exact.From > start || moved >= n)
        {
            exact.Sum.Clear();
            AddRange(exact.Sum, start, count, negate: false);
            summed = n;
        }
        else
        {
            AddRange(exact.Sum, exact.From, start, negate: true);
            AddRange(exact.Sum, exact.To, count, negate: false);
            summed = moved;
        }

        (exact.From, exact.To) = (start, count);
        ExactPathUse = (ExactPathUse.Reads + 1, ExactPathUse.ValuesSummed + summed);
        return exact.Sum.DivideBy(n);
    }

    /// <summary>Adds (or subtracts) the stored values [from, to), a chunk at a time.</summary>
    private void AddRange(ExactSum sum, long from, long to, bool negate)
    {
        while (from < to)
        {
            var offset = _values.OffsetOf(from);
            var length = (int)Math.Min(to - from, _values.ChunkLength - offset);
            var span = new ReadOnlySpan<double>(_values.ChunkFor(from), offset, length);
            if (negate)
            {
                sum.Subtract(span);
            }
            else
            {
                sum.Add(span);
            }

            from += length;
        }
    }

    /// <summary>An exact sum of the stored values [From, To).</summary>
    private sealed class ExactWindowSum
    {
        public ExactSum Sum { get; } = new();

        public long From { get; set; }

        public long To { get; set; }
    }
}
