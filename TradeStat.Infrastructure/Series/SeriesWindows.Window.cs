using System.Runtime.CompilerServices;

namespace TradeStat.Infrastructure.Series;

// One window's own state: its kind, the whole units between its head and tail, and its head block's suffix table.
internal sealed partial class SeriesWindows
{
    private enum WindowKind
    {
        Scan,
        Sub,
        Block,
    }

    /// <summary>Per-window state: the whole units between head and tail, and the head block's suffix table.</summary>
    private sealed class Window
    {
        private readonly MomentsQueue _queue;
        private readonly MonotonicDeque _minima;
        private readonly MonotonicDeque _maxima;
        private Summary[]? _suffix;              // block windows: sub-blocks j..63 of the head block, built when first read
        private long _suffixBlock = -1;
        private long _firstQueued;               // unit index of the queue's oldest entry

        public Window(long length)
        {
            Length = length;
            Kind = length <= SubLength ? WindowKind.Scan : length < 2 * BlockLength ? WindowKind.Sub : WindowKind.Block;
            UnitShift = Kind == WindowKind.Block ? BlockShift : SubShift;
            UnitMask = (1L << UnitShift) - 1;
            _queue = new MomentsQueue();
            _minima = new MonotonicDeque(isMax: false);
            _maxima = new MonotonicDeque(isMax: true);
        }

        public long Length { get; }

        public WindowKind Kind { get; }

        public int UnitShift { get; }

        public long UnitMask { get; }

        /// <summary>The whole units between head and tail.</summary>
        public Summary Middle() => _queue.Count == 0
            ? Summary.Empty
            : new Summary(_queue.Aggregate(), _minima.Extreme, _maxima.Extreme);

        /// <summary>
        /// Summary of sub-blocks j..63 of <paramref name="block"/>, the (finished) block holding the window's start
        /// (empty for j = 64). The table is built when a block is first read, not when the start enters it: a
        /// 10,000-value append moves the start across two or three blocks, and only the last one is read.
        /// </summary>
        public Summary BlockSuffix(long block, int j, SeriesWindows owner)
        {
            if (block != _suffixBlock)
            {
                BuildSuffix(block, owner);
            }

            return _suffix![j];
        }

        /// <summary>A unit finished: it joins the middle, unless it holds the window's start (it is the head then).</summary>
        public void Completed(long unit, in Summary summary, long windowStart)
        {
            if (unit <= (Math.Max(0, windowStart) >> UnitShift))
            {
                return;
            }

            if (_queue.Count == 0)
            {
                _firstQueued = unit;
            }

            _queue.Push(summary.Moments);
            _minima.Push(unit, summary.Min);
            _maxima.Push(unit, summary.Max);
        }

        /// <summary>The window's start is now the first value of a unit: that unit and older leave the middle.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public void StartEnteredUnit(long start)
        {
            var headUnit = start >> UnitShift;
            while (_queue.Count > 0 && _firstQueued <= headUnit)
            {
                _queue.Pop();
                _firstQueued++;
            }

            _minima.ExpireThrough(headUnit);
            _maxima.ExpireThrough(headUnit);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void BuildSuffix(long block, SeriesWindows owner)
        {
            var firstSub = block << (BlockShift - SubShift);
            var acc = Summary.Empty;
            _suffix ??= new Summary[SubsPerBlock + 1];
            _suffix[SubsPerBlock] = acc;
            for (var j = SubsPerBlock - 1; j >= 0; j--)
            {
                acc = Summary.Merge(owner._subs[firstSub + j].ToSummary(), acc);
                _suffix[j] = acc;
            }

            _suffixBlock = block;
        }
    }
}
