using System.Runtime.CompilerServices;

namespace TradeStat.Infrastructure.Series;

/// <summary>
/// O(1) per lookup, no division.
/// The slots of a ring of chunks that keeps the last <c>capacity</c> items of an unbounded sequence: how many there
/// are, and which one holds a chunk (chunk number mod slot count, without a division).
/// </summary>
internal readonly struct RingSlots
{
    private readonly ulong _count;
    private readonly ulong _multiplier;

    /// <param name="capacity">Items that must stay readable behind the newest one.</param>
    /// <param name="chunkShift">log2 of the chunk length.</param>
    public RingSlots(long capacity, int chunkShift)
    {
        // capacity + 1 items (the window and the one being written) span at most (capacity >> shift) + 2 chunks;
        // one slot of margin keeps the rule simple to check: a chunk is reused only when all its items are old.
        Count = checked((int)((capacity >> chunkShift) + 3));
        _count = (ulong)Count;
        _multiplier = (ulong.MaxValue / _count) + 1; // Lemire's fastmod for 32-bit numerators
    }

    public int Count { get; }

    /// <summary>The slot of chunk number <paramref name="chunk"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Of(ulong chunk)
    {
        // Chunk numbers stay below 2^32 for 2^(32 + shift) items, beyond any real run; the plain modulo takes over past that.
        if (chunk <= uint.MaxValue)
        {
            return (int)Math.BigMul(_multiplier * chunk, _count, out _);
        }

        return (int)(chunk % _count);
    }

    /// <summary>How many of <paramref name="slots"/> hold a chunk (for memory accounting).</summary>
    public static int Allocated<T>(T?[] slots)
        where T : class
    {
        var n = 0;
        foreach (var slot in slots)
        {
            n += slot is null ? 0 : 1;
        }

        return n;
    }
}
