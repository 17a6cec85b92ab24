using System.Runtime.CompilerServices;

namespace TradeStat.Infrastructure.Series;

/// <summary>
/// Append O(1) amortized per value, read O(1); memory 48 bytes per 64 values plus O(units) per window.
/// Count, mean, variance, min and max of the last w values for several windows w that all end at the newest
/// value, built from partials that are each computed once from their own values and merged without
/// cancellation, so no rounding error outlives its window (no drift). Ingest works a sub-block at a time: copy
/// the values, summarise each finished sub-block once, let each window move its start, and at the end of the call
/// compose every window's summary from its parts (at most two scans of 64 stored values and a few merges per
/// window); per value that is O(1) amortized and almost independent of the number of windows. Per read: O(1), a
/// copy of the stored summary.
/// </summary>
/// <remarks>
/// The stream is cut into sub-blocks of 64 values and blocks of 4096 (64 sub-blocks), aligned at multiples.
/// Each finished sub-block is summarised once (<see cref="RunSummarizer"/>: double-double sums, min, max) and
/// kept in a chunked ring reaching back over the largest window. A window [s, t] is then
/// <list type="bullet">
/// <item>head: the values from s to the end of s's sub-block, summed (at most 63 values; the
/// stored summary when s is aligned), plus, for block-sized windows, the rest of s's block from a 65-entry
/// suffix table built when that block is first read (at most 64 merges per 4096 values);</item>
/// <item>middle: the whole units (sub-blocks for windows below 8192, blocks above) between head and tail:
/// their moments in a two-stack <see cref="MomentsQueue"/>, their minima and maxima in two
/// <see cref="MonotonicDeque"/>s, per window;</item>
/// <item>tail: the current unfinished unit (the values of the current sub-block, summed, plus the
/// finished sub-blocks of the current block for block-sized windows).</item>
/// </list>
/// Windows of at most 64 values are summed from the stored values. All partials are shared by
/// every window, so ingest cost hardly grows with the number of windows. Memory: 48 bytes per 64 values
/// (0.75 byte per value) for the sub-block summaries, and per window O(units in it) grown on demand.
/// </remarks>
internal sealed partial class SeriesWindows
{
    public const int SubShift = CompactValueRing.SubShift;
    public const int SubLength = CompactValueRing.SubLength; // 64
    public const int BlockShift = 12;
    public const int BlockLength = 1 << BlockShift;  // 4096
    private const int SubsPerBlock = BlockLength / SubLength;

    private readonly CompactValueRing _values;       // finished sub-blocks
    private readonly double[] _open = new double[SubLength]; // the newest sub-block's values, stored when it is finished
    private readonly ChunkedRing<SubBlockSummary> _subs;
    private readonly Window[] _windows;

    private readonly Summary[] _current; // per window: the summary of its values now, refreshed by Append

    private Summary _blockSoFar;        // finished sub-blocks of the current block
    private long _count;
    private readonly long _reach;

    public SeriesWindows(long[] windows, CompactValueRing values)
    {
        _values = values;
        _windows = new Window[windows.Length];
        _current = new Summary[windows.Length];
        long reach = 0;
        for (var i = 0; i < windows.Length; i++)
        {
            _windows[i] = new Window(windows[i]);
            reach = Math.Max(reach, windows[i]);
        }

        _blockSoFar = Summary.Empty;
        _reach = Reach(reach);
        _subs = new ChunkedRing<SubBlockSummary>((reach >> SubShift) + (2 * SubsPerBlock), chunkShift: 12);
    }

    /// <summary>
    /// Values the values ring must keep readable behind its newest one: the window (head scans read from its start);
    /// the extra block and sub-block are margin, negligible against the window.
    /// </summary>
    public static long Reach(long largestWindow) => largestWindow + BlockLength + SubLength;

    public long Count => _count;

    /// <summary>
    /// Appends values oldest first. They are also stored: the newest sub-block in <c>_open</c>, each finished one in the
    /// values ring, encoded once when it is summarised.
    /// </summary>
    public void Append(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            return;
        }

        while (!values.IsEmpty)
        {
            var t = _count;
            if ((t & (SubLength - 1)) == 0 && t > 0)
            {
                CompleteSubBlock(t - 1);
            }

            // Fill the current sub-block as far as it goes.
            var n = Math.Min(values.Length, SubLength - (int)(t & (SubLength - 1)));
            values[..n].CopyTo(_open.AsSpan((int)(t & (SubLength - 1)), n));
            values = values[n..];
            _count = t + n;

            // Window starts moved from t+1-w to t+n-w: at most one unit boundary crossed (n ≤ 64 ≤ unit).
            foreach (var window in _windows)
            {
                if (window.Kind == WindowKind.Scan)
                {
                    continue;
                }

                var last = t + n - window.Length;
                var boundary = last & ~window.UnitMask;
                if (boundary > 0 && boundary >= t + 1 - window.Length)
                {
                    window.StartEnteredUnit(boundary);
                }
            }
        }

        Refresh();
    }

    /// <summary>Summary of the last min(w, Count) values of window <paramref name="level"/>; Count must be positive.</summary>
    /// <remarks>
    /// O(1) with no scan and no merge: every window's summary is composed once per <see cref="Append"/> call
    /// (<see cref="Refresh"/>), so a read costs the same whatever the window and however many values are held.
    /// </remarks>
    public Summary Read(int level) => _current[level];

    /// <summary>
    /// Composes every window's summary after an append: the current sub-block is scanned once for all windows
    /// (at most 64 values), each window's head once (at most 63), then a few merges per window. Paid once per append
    /// call, it moves the scans off the read path.
    /// </summary>
    private void Refresh()
    {
        var currentSub = CurrentSubBlock();
        var blockTail = Summary.Merge(_blockSoFar, currentSub);
        for (var level = 0; level < _windows.Length; level++)
        {
            _current[level] = Compose(_windows[level], currentSub, blockTail);
        }
    }

    /// <summary>Summary of the last min(w, Count) values of <paramref name="window"/>, from its parts.</summary>
    private Summary Compose(Window window, in Summary currentSub, in Summary blockTail)
    {
        var t = _count - 1;
        var start = Math.Max(0, t + 1 - window.Length);
        if (window.Kind == WindowKind.Scan)
        {
            return SumValues(start, t + 1);
        }

        var tail = window.Kind == WindowKind.Block ? blockTail : currentSub;
        if (start >= (t & ~window.UnitMask))
        {
            // The window is exactly the current unit so far (its start is then the unit's first value).
            return tail;
        }

        // Head: from start to the end of its sub-block (the stored summary when start is aligned) ...
        var subStart = start & ~(long)(SubLength - 1);
        var head = start == subStart ? _subs[start >> SubShift].ToSummary() : SumValues(start, subStart + SubLength);

        // ... plus, for block windows, the rest of start's block.
        if (window.Kind == WindowKind.Block)
        {
            head = Summary.Merge(head, window.BlockSuffix(start >> BlockShift, (int)((start >> SubShift) & (SubsPerBlock - 1)) + 1, this));
        }

        return Summary.Merge(Summary.Merge(head, window.Middle()), tail);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CompleteSubBlock(long lastIndex)
    {
        var summary = RunSummarizer.Summarize(_open);
        var subIndex = lastIndex >> SubShift;
        _values.Store(subIndex, _open);
        _subs.Set(subIndex, new SubBlockSummary(summary));

        _blockSoFar = Summary.Merge(_blockSoFar, summary);
        var blockDone = ((lastIndex + 1) & (BlockLength - 1)) == 0;
        var startPlusW = lastIndex + 2; // window start once the next value is in, plus w
        foreach (var window in _windows)
        {
            if (window.Kind == WindowKind.Sub)
            {
                window.Completed(subIndex, summary, startPlusW - window.Length);
            }
            else if (window.Kind == WindowKind.Block && blockDone)
            {
                window.Completed(lastIndex >> BlockShift, _blockSoFar, startPlusW - window.Length);
            }
        }

        if (blockDone)
        {
            BlockCompleted(lastIndex, _blockSoFar);
            _blockSoFar = Summary.Empty;
        }
    }

    /// <summary>Summary of the stored values [from, to), at most 64 of them (one or two sub-blocks).</summary>
    private Summary SumValues(long from, long to)
    {
        var split = (from | (SubLength - 1)) + 1; // end of from's sub-block: chunks never split a sub-block
        return to <= split
            ? SumRun(from, to)
            : Summary.Merge(SumRun(from, split), SumRun(split, to));
    }

    /// <summary>Summary of the values [from, to) of one sub-block.</summary>
    private Summary SumRun(long from, long to)
    {
        var length = (int)(to - from);
        if (from >> SubShift == (_count - 1) >> SubShift)
        {
            return RunSummarizer.Summarize(_open.AsSpan((int)(from & (SubLength - 1)), length));
        }

        Span<double> run = stackalloc double[SubLength];
        _values.CopyTo(from, run[..length]);
        return RunSummarizer.Summarize(run[..length]);
    }

    /// <summary>The newest value; Count must be positive.</summary>
    public double Last => _open[(int)((_count - 1) & (SubLength - 1))];

    /// <summary>Copies the values from <paramref name="from"/> on (still held: at most <see cref="Reach"/> behind the newest) into <paramref name="destination"/>.</summary>
    public void CopyValues(long from, Span<double> destination)
    {
        var openStart = (_count - 1) & ~(long)(SubLength - 1);
        var stored = (int)Math.Clamp(openStart - from, 0, destination.Length);
        _values.CopyTo(from, destination[..stored]);

        if (stored < destination.Length)
        {
            _open.AsSpan((int)(from + stored - openStart), destination.Length - stored).CopyTo(destination[stored..]);
        }
    }

    private Summary CurrentSubBlock()
    {
        var t = _count - 1;
        return SumValues(t & ~(long)(SubLength - 1), t + 1);
    }

    /// <summary>Summary of a finished 64-value sub-block (the count is implicit): 48 bytes.</summary>
    private readonly struct SubBlockSummary(Summary summary)
    {
        private readonly DoubleDouble _mean = summary.Moments.Mean;
        private readonly double _m2 = summary.Moments.M2;
        private readonly double _min = summary.Min;
        private readonly double _max = summary.Max;
        private readonly int _scale = summary.Moments.Scale;

        public double Min => _min;

        public double Max => _max;

        public Summary ToSummary() => new(new Moments(SubLength, _mean, _m2, _scale), _min, _max);
    }
}
