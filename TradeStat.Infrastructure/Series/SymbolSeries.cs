using System.Runtime.CompilerServices;
using TradeStat.Domain.Series;

namespace TradeStat.Infrastructure.Series;

/// <summary>
/// Append O(1) amortized per point, stats O(1); memory 4 + 49/64 bytes per price held, 8 + 49/64 per other double.
/// One symbol's series: the last 10^8 values in a <see cref="CompactValueRing"/> and the statistics of every
/// k level from <see cref="SeriesWindows"/>. Append copies the values and, per 64 values, makes one summary pass, one
/// encoding pass (up to 11 when the decimals change) and one check per level, then composes every window's summary
/// once per call; stats are a copy of that summary. A value held costs its scaled integer m of m / 10^d (for prices
/// with at most 9 decimals in the 32-bit range) or its double, plus its share of a sub-block summary and of the
/// sub-block's scale; on top come the windows' own state, bounded by the largest window whatever the data, and an
/// <see cref="ExactSum"/> per level whose mean ever needed the exact path.
/// </summary>
/// <remarks>
/// All calls take the series' lock: callers promise no concurrent calls per symbol, so the lock is
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
    private readonly CompactValueRing _values;
    private readonly SeriesWindows _windows;
    private readonly long[] _windowLengths;
    private ExactWindowSum?[]? _exact;       // per level, made on first use by the rare exact path; kept current by Append

    /// <param name="windows">Window lengths, ascending.</param>
    /// <param name="chunkShift">log2 of the storage chunk length (16: 64 Ki values, 256 KiB compact or 512 KiB as doubles, plus 1 KiB); at least 6, so
    /// that a chunk holds whole sub-blocks.</param>
    public SymbolSeries(long[] windows, int chunkShift = 16)
    {
        ArgumentOutOfRangeException.ThrowIfZero(windows.Length);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkShift, SeriesWindows.SubShift);
        _windowLengths = (long[])windows.Clone();
        _values = new CompactValueRing(SeriesWindows.Reach(windows.Max()), chunkShift);
        _windows = new SeriesWindows(windows, _values);
    }

    /// <summary>The decade windows: 10^k for every k from <see cref="SeriesLimits.MinK"/> to <see cref="SeriesLimits.MaxK"/>.</summary>
    public static long[] DecadeWindows()
    {
        var windows = new long[SeriesLimits.LevelCount];
        for (var k = SeriesLimits.MinK; k <= SeriesLimits.MaxK; k++)
        {
            var level = WindowLevel.Create(k);
            windows[level.Index] = level.Window;
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

    /// <summary>Bytes of stored values (for memory accounting and tests).</summary>
    internal long AllocatedBytes => _values.AllocatedBytes;

    /// <summary>Reads that needed the exact mean (near-total cancellation), and values the exact path has summed.</summary>
    internal (long Reads, long ValuesSummed) ExactPathUse { get; private set; }

    /// <summary>Appends values oldest first, atomically with respect to readers; returns the new count.</summary>
    public long Append(ReadOnlySpan<double> values)
    {
        lock (_lock)
        {
            if (_exact is not null)
            {
                MoveExactSums(values);
            }

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

            stats = new SeriesStats(moments.Count, min, max, _windows.Last, avg, variance);
            return true;
        }
    }

    /// <summary>
    /// The min/max envelope of window <paramref name="level"/> (0-based) in min(<paramref name="buckets"/>, points) buckets:
    /// O(buckets) summary reads whatever the window's length; null when nothing was added yet.
    /// </summary>
    public SeriesEnvelope? GetEnvelope(int level, int buckets)
    {
        lock (_lock)
        {
            var count = _windows.Count;
            if (count == 0)
            {
                return null;
            }

            var n = Math.Min(_windowLengths[level], count);
            var b = (int)Math.Min(buckets, n);
            var min = new double[b];
            var max = new double[b];
            _windows.Envelope(count - n, count, min, max);
            return new SeriesEnvelope(n, count - n, min, max);
        }
    }

    /// <summary>True when the double-double mean is certainly within <see cref="MeanTolerance"/> of the exact one.</summary>
    private static bool IsMeanAccurate(double avg, double largest)
    {
        var bound = (largest * MeanErrorFactor) + UnderflowFloor;
        return double.IsFinite(avg) && bound <= MeanTolerance * (Math.Abs(avg) - bound);
    }

    /// <summary>
    /// The exact mean of window <paramref name="level"/>. The first exact read of a level sums its window once
    /// (O(window), at most once per level and series, and never more than the values appended so far); from then
    /// on <see cref="Append"/> keeps that sum current (subtract the values that leave, add those that come: O(1) per
    /// value), so every later read is O(1): amortized O(1) per appended value and per read, whatever the data.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private double ExactMean(int level, long count, long n)
    {
        _exact ??= new ExactWindowSum?[_windowLengths.Length];
        var exact = _exact[level];
        var start = count - n;
        if (exact is null || exact.Stale || exact.From != start || exact.To != count)
        {
            exact ??= _exact[level] = new ExactWindowSum();

            exact.Sum.Clear();
            AddRange(exact.Sum, start, count, negate: false);
            (exact.From, exact.To, exact.Stale) = (start, count, false);
            ExactPathUse = (ExactPathUse.Reads, ExactPathUse.ValuesSummed + n);
        }

        ExactPathUse = (ExactPathUse.Reads + 1, ExactPathUse.ValuesSummed);
        return exact.Sum.DivideBy(n);
    }

    /// <summary>Keeps every tracked exact window sum current across an append of <paramref name="values"/>.</summary>
    private void MoveExactSums(ReadOnlySpan<double> values)
    {
        var count = _windows.Count;
        var summed = 0L;
        for (var level = 0; level < _exact!.Length; level++)
        {
            if (_exact[level] is not { } exact || exact.Stale)
            {
                continue;
            }

            // The values that leave are still inside the current window: subtract them before they can be overwritten.
            // A batch longer than the window replaces it whole: the next exact read sums it afresh (O(batch)).
            var window = _windowLengths[level];
            var newStart = Math.Max(0, count + values.Length - window);
            if (newStart > count)
            {
                exact.Stale = true;
                continue;
            }

            if (newStart > exact.From)
            {
                AddRange(exact.Sum, exact.From, newStart, negate: true);
                summed += newStart - exact.From;
                exact.From = newStart;
            }

            exact.Sum.Add(values);
            exact.To = count + values.Length;
            summed += values.Length;
        }

        ExactPathUse = (ExactPathUse.Reads, ExactPathUse.ValuesSummed + summed);
    }

    /// <summary>Adds (or subtracts) the stored values [from, to), 1,024 at a time.</summary>
    private void AddRange(ExactSum sum, long from, long to, bool negate)
    {
        Span<double> buffer = stackalloc double[1024];
        while (from < to)
        {
            var span = buffer[..(int)Math.Min(to - from, buffer.Length)];
            _windows.CopyValues(from, span);
            from += span.Length;
            if (negate)
            {
                sum.Subtract(span);
            }
            else
            {
                sum.Add(span);
            }
        }
    }

    /// <summary>An exact sum of the stored values [From, To), kept current by <see cref="Append"/>.</summary>
    private sealed class ExactWindowSum
    {
        public ExactSum Sum { get; } = new();

        public long From { get; set; }

        public long To { get; set; }

        /// <summary>Not current: a batch longer than the window went past it; the next exact read rebuilds.</summary>
        public bool Stale { get; set; }
    }
}
