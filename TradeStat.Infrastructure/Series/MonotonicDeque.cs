using System.Runtime.CompilerServices;

namespace TradeStat.Infrastructure.Series;

/// <summary>
/// O(1) amortized push and expire, O(1) extreme; memory at most one entry per position in the window.
/// Sliding-window minimum (or maximum) over a sequence of (position, value) entries pushed in increasing
/// position order: the classic monotonic deque. Among equal values the newest is kept.
/// </summary>
internal sealed class MonotonicDeque(bool isMax)
{
    private long[] _positions = new long[8];
    private double[] _values = new double[8];
    private int _head;
    private int _count;

    public int Count => _count;

    /// <summary>The extreme among the entries held; undefined when empty.</summary>
    public double Extreme
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _values[_head];
    }

    public void Push(long position, double value)
    {
        // Entries the new one beats or ties can never be the answer again.
        while (_count > 0)
        {
            var back = Index(_count - 1);
            var existing = _values[back];
            if (isMax ? existing > value : existing < value)
            {
                break;
            }

            _count--;
        }

        if (_count == _positions.Length)
        {
            Grow();
        }

        var slot = Index(_count);
        _positions[slot] = position;
        _values[slot] = value;
        _count++;
    }

    /// <summary>Drops the entries at positions up to and including <paramref name="position"/>.</summary>
    public void ExpireThrough(long position)
    {
        while (_count > 0 && _positions[_head] <= position)
        {
            _head = _head + 1 == _positions.Length ? 0 : _head + 1;
            _count--;
        }
    }

    /// <summary>Doubles the ring, oldest entry first: memory follows the entries held.</summary>
    private void Grow()
    {
        var positions = new long[_positions.Length * 2];
        var values = new double[positions.Length];
        for (var i = 0; i < _count; i++)
        {
            positions[i] = _positions[Index(i)];
            values[i] = _values[Index(i)];
        }

        (_positions, _values, _head) = (positions, values, 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Index(int offset)
    {
        var i = _head + offset;
        return i >= _positions.Length ? i - _positions.Length : i;
    }
}
