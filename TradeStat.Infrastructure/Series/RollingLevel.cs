namespace TradeStat.Infrastructure.Series;

/// <summary>
/// Rolling count, mean and variance of the last w values (one k level), with nothing ever subtracted:
/// O(1) amortized per value, O(1) per read, about 80·w/b + 32·b bytes.
/// </summary>
/// <remarks>
/// The stream is cut into blocks of b values (b ≤ w/2). The window [t−w+1, t] is then
/// <list type="bullet">
/// <item>a suffix of its oldest, partly covered "head" block, read from a table of that block's suffix sums,
/// built backwards from the stored values when the window's start enters the block (b adds per b values);</item>
/// <item>the whole blocks after it, kept as <see cref="Moments"/> in a two-stack queue (push a finished
/// block, pop the oldest; the queue's aggregate is one merge away);</item>
/// <item>the "tail": the values of the current, unfinished block.</item>
/// </list>
/// A read merges the three parts. Every part is built by adding values, anchored inside itself, and merged
/// with Chan's non-cancelling formula, so errors cannot accumulate across the billions of points that slide
/// through (no drift) and a window's accuracy depends only on the values in it. The only bursts of work are
/// the suffix table (b adds) and the queue's flip (w/b merges, once per w values): microseconds, not a
/// re-scan of the window.
/// </remarks>
internal sealed class RollingLevel
{
    private readonly long _window;
    private readonly int _block;

    // Tail: the unfinished block [tailStart, t].
    private AnchoredSums _tail;
    private long _blocksDone;

    // Head: block _head holds the window's start at offset _headOffset; suffix sums of it from each offset.
    private long _head = -1;
    private int _headOffset;
    private readonly SuffixEntry[] _suffix;
    private double _suffixAnchor;

    // Whole blocks strictly between head and tail: a two-stack queue of Moments.
    private readonly Moments[] _front;
    private int _frontPos;
    private int _frontLen;
    private readonly Moments[] _back;
    private int _backLen;
    private Moments _backAggregate;
    private long _firstQueued; // block index of the oldest queued block
    private int _queued;

    private long _count;

    /// <param name="window">w: the number of newest values covered.</param>
    /// <param name="block">b: block length, 1 ≤ b ≤ w/2.</param>
    public RollingLevel(long window, int block)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(block, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(block, window / 2);
        _window = window;
        _block = block;
        _suffix = new SuffixEntry[block];
        var maxQueued = checked((int)((window / block) + 2));
        _front = new Moments[maxQueued];
        _back = new Moments[maxQueued];
    }

    /// <summary>The block length chosen for a window: ~w/5, at most 4096, so bursts stay in the microseconds.</summary>
    public static int BlockFor(long window) => (int)Math.Clamp(window / 5, 1, 4096);

    public long Window => _window;

    public int Block => _block;

    /// <summary>Values a caller must keep readable behind the newest one: the window plus one block.</summary>
    public long Reach => _window + _block;

    /// <summary>Adds value <paramref name="x"/> at index <paramref name="t"/> (consecutive from 0).</summary>
    /// <param name="values">The stored series; x must already be written at index t.</param>
    public void Add(long t, double x, ValueChunks values)
    {
        if (_tail.Count == _block)
        {
            Enqueue(_tail.ToMoments());
            _tail.Clear();
            _blocksDone++;
        }

        _tail.Add(x);
        _count = Math.Min(t + 1, _window);

        var start = t - _count + 1;
        var head = start / _block;
        _headOffset = (int)(start - (head * _block));
        while (_queued > 0 && _firstQueued <= head)
        {
            Dequeue();
        }

        if (head < _blocksDone && head != _head)
        {
            BuildSuffixTable(head, values);
        }
    }

    /// <summary>Moments of the last min(w, values added) values.</summary>
    public Moments Read()
    {
        if (_head < 0 || _head >= _blocksDone)
        {
            // The window lies inside the first, unfinished block.
            return _tail.ToMoments();
        }

        var entry = _suffix[_headOffset];
        var headCount = _block - _headOffset;
        var n = (double)headCount;
        var meanOffset = entry.S1 / n;
        var headMoments = new Moments(headCount, meanOffset + _suffixAnchor, entry.S2 - (entry.S1 * meanOffset));
        var middle = Moments.Merge(_frontPos < _frontLen ? _front[_frontPos] : Moments.Empty, _backAggregate);
        return Moments.Merge(Moments.Merge(headMoments, middle), _tail.ToMoments());
    }

    public long Count => _count;

    private void Enqueue(in Moments block)
    {
        if (_queued == 0)
        {
            _firstQueued = _blocksDone;
        }

        _back[_backLen++] = block;
        _backAggregate = Moments.Merge(_backAggregate, block);
        _queued++;
    }

    private void Dequeue()
    {
        if (_frontPos == _frontLen)
        {
            // Flip: the back stack becomes suffix aggregates, oldest first.
            var acc = Moments.Empty;
            for (var i = _backLen - 1; i >= 0; i--)
            {
                acc = Moments.Merge(_back[i], acc);
                _front[i] = acc;
            }

            _frontPos = 0;
            _frontLen = _backLen;
            _backLen = 0;
            _backAggregate = Moments.Empty;
        }

        _frontPos++;
        _firstQueued++;
        _queued--;
    }

    private void BuildSuffixTable(long head, ValueChunks values)
    {
        // Anchor at the block's last value: every suffix contains it.
        var first = head * _block;
        var anchor = values.Get(first + _block - 1);
        var s1 = DoubleDouble.Zero;
        var s2 = DoubleDouble.Zero;
        for (var i = _block - 1; i >= 0; i--)
        {
            var d = DoubleDouble.Difference(values.Get(first + i), anchor);
            s1 += d;
            s2 += DoubleDouble.Square(d);
            _suffix[i] = new SuffixEntry(s1, s2);
        }

        _suffixAnchor = anchor;
        _head = head;
    }

    private readonly record struct SuffixEntry(DoubleDouble S1, DoubleDouble S2);
}
