using System.Runtime.CompilerServices;

namespace TradeStat.Infrastructure.Series;

/// <summary>
/// Sliding-window minimum (or maximum) for several nested windows that all end at the newest point, with one
/// monotonic deque shared by every window and a cursor per window. Push is O(levels) amortized, read O(1).
/// </summary>
/// <remarks>
/// The deque holds the indices of the points that are strictly better (smaller, for a minimum) than every
/// later point, oldest first, so values are strictly monotonic front to back. For a window covering the last
/// w points, the answer is the first deque entry whose index is inside the window: the cursor of that window.
/// A cursor only moves forward except when pops from the back pass it, and then it lands on the new entry,
/// so each entry is passed at most once per window. Indices are stored as 32-bit offsets (every live index is
/// within 2^32 of the newest), so the worst case (monotonic data) costs 4 bytes per point of the largest window.
/// </remarks>
internal sealed class WindowExtremes
{
    private readonly bool _isMax;
    private readonly long[] _windows;
    private readonly long[] _cursor;
    private uint[] _ring = new uint[16];
    private long _head;
    private long _tail;

    /// <param name="isMax">True for a maximum, false for a minimum.</param>
    /// <param name="windows">Window lengths, ascending.</param>
    public WindowExtremes(bool isMax, long[] windows)
    {
        _isMax = isMax;
        _windows = windows;
        _cursor = new long[windows.Length];
    }

    /// <summary>Entries currently in the deque.</summary>
    public long Length => _tail - _head;

    /// <summary>Records point <paramref name="index"/> with <paramref name="value"/>; indices must be consecutive.</summary>
    public void Push(long index, double value, ChunkedRing<double> values)
    {
        // Pop every entry that the new point beats or ties: it can never be a window's answer again.
        while (_tail > _head && !Beats(values[IndexAt(_tail - 1, index)], value))
        {
            _tail--;
        }

        if (_tail - _head == _ring.Length)
        {
            Grow();
        }

        _ring[_tail & (_ring.Length - 1)] = (uint)index;
        _tail++;

        var last = _tail - 1;
        for (var level = 0; level < _windows.Length; level++)
        {
            var oldest = index - _windows[level] + 1;
            var c = Math.Max(Math.Min(_cursor[level], last), _head);
            while (IndexAt(c, index) < oldest)
            {
                c++;
            }

            _cursor[level] = c;
        }

        // The largest window's cursor is the oldest entry anyone can need.
        _head = _cursor[^1];
    }

    /// <summary>Index of the extreme of window <paramref name="level"/>, given the newest index.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long ExtremeIndex(int level, long newest) => IndexAt(_cursor[level], newest);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Beats(double existing, double incoming) => _isMax ? existing > incoming : existing < incoming;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long IndexAt(long position, long newest)
    {
        var stored = _ring[position & (_ring.Length - 1)];
        return newest - (uint)((uint)newest - stored);
    }

    private void Grow()
    {
        var bigger = new uint[_ring.Length * 2];
        for (var p = _head; p < _tail; p++)
        {
            bigger[p & (bigger.Length - 1)] = _ring[p & (_ring.Length - 1)];
        }

        _ring = bigger;
    }
}
