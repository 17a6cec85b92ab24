using System.Runtime.CompilerServices;

namespace TradeStat.Infrastructure.Series;

/// <summary>
/// Count, mean and variance of the last w values for several windows w that all end at the newest value,
/// built from add-only partials and non-cancelling merges (no subtraction, hence no drift).
/// Per value: one add into the current sub-block, plus O(levels) counter checks; per read: O(1).
/// </summary>
/// <remarks>
/// The stream is cut into sub-blocks of 64 values and blocks of 4096 (64 sub-blocks), aligned at multiples.
/// Each completed sub-block is summarised once, in double-double (<see cref="AnchoredSums"/>), and kept in a
/// chunked ring that reaches back over the largest window. A window [s, t] is then
/// <list type="bullet">
/// <item>head: the values from s to the end of s's sub-block, summed at read time (at most 63 values), plus,
/// for block-sized windows, the rest of s's block from a 64-entry suffix table built when s enters the block
/// (64 merges per 4096 values);</item>
/// <item>middle: the whole units (sub-blocks for windows below 8192, blocks above) between head and tail, in a
/// <see cref="MomentsQueue"/> per window;</item>
/// <item>tail: the current unfinished unit (the running sub-block, plus the finished sub-blocks of the
/// current block for block-sized windows).</item>
/// </list>
/// Windows of at most 64 values are summed from the stored values at read time. All partials are shared by
/// every window, so ingest cost hardly depends on the number of windows. Memory: 32 bytes per 64 values
/// (0.5 byte per value) for the sub-block summaries, a few KB per window.
/// </remarks>
internal sealed class SeriesMoments
{
    public const int SubShift = 6;
    public const int SubLength = 1 << SubShift;      // 64
    public const int BlockShift = 12;
    public const int BlockLength = 1 << BlockShift;  // 4096
    private const int SubsPerBlock = BlockLength / SubLength;

    private readonly ChunkedRing<double> _values;
    private readonly ChunkedRing<SubBlockSummary> _subs;
    private readonly Window[] _windows;

    private AnchoredSums _sub;          // current sub-block
    private Moments _blockSoFar;        // finished sub-blocks of the current block
    private long _count;

    public SeriesMoments(long[] windows, ChunkedRing<double> values)
    {
        _values = values;
        _windows = new Window[windows.Length];
        long reach = 0;
        for (var i = 0; i < windows.Length; i++)
        {
            _windows[i] = new Window(windows[i]);
            reach = Math.Max(reach, windows[i]);
        }

        _subs = new ChunkedRing<SubBlockSummary>((reach >> SubShift) + (2 * SubsPerBlock), chunkShift: 12);
    }

    /// <summary>Values that must stay readable behind the newest one.</summary>
    public static long Reach(long largestWindow) => largestWindow + BlockLength + SubLength;

    /// <summary>Adds value <paramref name="x"/>, already stored at index Count in the values ring.</summary>
    public void Add(double x)
    {
        var t = _count;
        if ((t & (SubLength - 1)) == 0 && t > 0)
        {
            CompleteSubBlock(t - 1);
        }

        _sub.Add(x);
        _count = t + 1;

        // Windows whose start moved into a new unit drop the units before it from their queue.
        foreach (var window in _windows)
        {
            var start = t + 1 - window.Length;
            if (start > 0 && (start & window.UnitMask) == 0 && window.Kind != WindowKind.Scan)
            {
                window.StartEnteredUnit(start, this);
            }
        }
    }

    /// <summary>Moments of the last min(w, Count) values of window <paramref name="level"/>.</summary>
    public Moments Read(int level)
    {
        var window = _windows[level];
        var t = _count - 1;
        var start = Math.Max(0, t + 1 - window.Length);
        if (window.Kind == WindowKind.Scan)
        {
            return SumValues(start, t + 1);
        }

        var tail = window.Kind == WindowKind.Block ? Moments.Merge(_blockSoFar, _sub.ToMoments()) : _sub.ToMoments();
        var currentUnitStart = t & ~window.UnitMask;
        if (start >= currentUnitStart)
        {
            // The window is exactly the current unit so far (start is then its first value).
            return tail;
        }

        // Head: from start to the end of its sub-block (stored summary when start is aligned) ...
        var subStart = start & ~(long)(SubLength - 1);
        var head = start == subStart ? _subs[start >> SubShift].ToMoments() : SumValues(start, subStart + SubLength);

        // ... plus, for block windows, the rest of start's block.
        if (window.Kind == WindowKind.Block)
        {
            head = Moments.Merge(head, window.BlockSuffix((int)((start >> SubShift) & (SubsPerBlock - 1)) + 1));
        }

        return Moments.Merge(Moments.Merge(head, window.Queue.Aggregate()), tail);
    }

    private void CompleteSubBlock(long lastIndex)
    {
        var summary = _sub.ToMoments();
        _sub.Clear();
        var subIndex = lastIndex >> SubShift;
        _subs.Set(subIndex, new SubBlockSummary(summary.Mean, summary.M2));

        _blockSoFar = Moments.Merge(_blockSoFar, summary);
        var blockDone = ((lastIndex + 1) & (BlockLength - 1)) == 0;
        var nextStart = lastIndex + 2; // the window start once the value after lastIndex is added, plus w
        foreach (var window in _windows)
        {
            if (window.Kind == WindowKind.Sub)
            {
                window.Completed(subIndex, summary, nextStart - window.Length, this);
            }
            else if (window.Kind == WindowKind.Block && blockDone)
            {
                window.Completed(lastIndex >> BlockShift, _blockSoFar, nextStart - window.Length, this);
            }
        }

        if (blockDone)
        {
            _blockSoFar = Moments.Empty;
        }
    }

    /// <summary>Moments of the stored values [from, to), anchored at the last one; at most 64 values.</summary>
    private Moments SumValues(long from, long to)
    {
        var sums = new AnchoredSums();
        for (var i = to - 1; i >= from; i--)
        {
            sums.Add(_values[i]);
        }

        return sums.ToMoments();
    }

    private enum WindowKind
    {
        Scan,
        Sub,
        Block,
    }

    /// <summary>Summary of a finished 64-value sub-block (the count is implicit): 32 bytes.</summary>
    private readonly record struct SubBlockSummary(DoubleDouble Mean, DoubleDouble M2)
    {
        public Moments ToMoments() => new(SubLength, Mean, M2);
    }

    /// <summary>Per-window state: the queue of whole units between head and tail, and the block suffix table.</summary>
    private sealed class Window
    {
        private readonly Moments[]? _suffix;     // block windows: suffix over sub-blocks j..63 of the head block
        private long _suffixBlock = -1;
        private long _firstQueued;               // unit index of the queue's oldest entry

        public Window(long length)
        {
            Length = length;
            Kind = length <= SubLength ? WindowKind.Scan : length < 2 * BlockLength ? WindowKind.Sub : WindowKind.Block;
            var unitShift = Kind == WindowKind.Block ? BlockShift : SubShift;
            UnitMask = (1L << unitShift) - 1;
            UnitShift = unitShift;
            Queue = new MomentsQueue(Kind == WindowKind.Scan ? 0 : (int)(length >> unitShift) + 2);
            if (Kind == WindowKind.Block)
            {
                _suffix = new Moments[SubsPerBlock + 1];
            }
        }

        public long Length { get; }

        public WindowKind Kind { get; }

        public long UnitMask { get; }

        public int UnitShift { get; }

        public MomentsQueue Queue { get; }

        /// <summary>A unit finished: it joins the queue, unless it holds the window's start (then it is the head).</summary>
        public void Completed(long unit, in Moments moments, long windowStart, SeriesMoments owner)
        {
            if (unit <= (Math.Max(0, windowStart) >> UnitShift))
            {
                if (Kind == WindowKind.Block)
                {
                    BuildSuffix(unit, owner);
                }

                return;
            }

            if (Queue.Count == 0)
            {
                _firstQueued = unit;
            }

            Queue.Push(moments);
        }

        /// <summary>The window's start is now the first value of a unit: older units leave the queue.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public void StartEnteredUnit(long start, SeriesMoments owner)
        {
            var headUnit = start >> UnitShift;
            while (Queue.Count > 0 && _firstQueued <= headUnit)
            {
                Queue.Pop();
                _firstQueued++;
            }

            if (Kind == WindowKind.Block)
            {
                BuildSuffix(headUnit, owner);
            }
        }

        /// <summary>Moments of sub-blocks j..63 of the head block (empty for j = 64).</summary>
        public Moments BlockSuffix(int j) => _suffix![j];

        private void BuildSuffix(long block, SeriesMoments owner)
        {
            if (block == _suffixBlock)
            {
                return;
            }

            var firstSub = block << (BlockShift - SubShift);
            var acc = Moments.Empty;
            _suffix![SubsPerBlock] = acc;
            for (var j = SubsPerBlock - 1; j >= 0; j--)
            {
                acc = Moments.Merge(owner._subs[firstSub + j].ToMoments(), acc);
                _suffix[j] = acc;
            }

            _suffixBlock = block;
        }
    }
}
