using System.Runtime.CompilerServices;

namespace TradeStat.Infrastructure.Series;

/// <summary>
/// The last <c>capacity</c> items of an unbounded sequence, in fixed-size chunks addressed by absolute index:
/// O(1) write and read, no division (a multiply-shift modulo). Memory grows chunk by chunk with the items
/// held and stops at floor(capacity / chunk) + 3 chunks; a chunk whose items all left the window is reused in
/// place, so nothing older is kept alive.
/// </summary>
internal sealed class ChunkedRing<T>
    where T : struct
{
    private readonly T[]?[] _slots;
    private readonly int _shift;
    private readonly long _mask;
    private readonly ulong _slotCount;
    private readonly ulong _modMultiplier;

    /// <param name="capacity">Items that must stay readable behind the newest one.</param>
    /// <param name="chunkShift">log2 of the chunk length.</param>
    public ChunkedRing(long capacity, int chunkShift)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkShift, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkShift, 24);
        _shift = chunkShift;
        _mask = (1L << chunkShift) - 1;

        // capacity + 1 items (the window and the one being written) span at most (capacity >> shift) + 2 chunks;
        // one slot of margin keeps the rule simple to check: a chunk is reused only when all its items are old.
        var slots = checked((int)((capacity >> chunkShift) + 3));
        _slots = new T[]?[slots];
        _slotCount = (ulong)slots;
        _modMultiplier = (ulong.MaxValue / _slotCount) + 1; // Lemire's fastmod for 32-bit numerators
    }

    public int ChunkLength => 1 << _shift;

    /// <summary>Chunks allocated so far (for memory accounting).</summary>
    public int AllocatedChunks
    {
        get
        {
            var n = 0;
            foreach (var slot in _slots)
            {
                n += slot is null ? 0 : 1;
            }

            return n;
        }
    }

    public T this[long index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _slots[Slot(index)]![index & _mask];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(long index, T value) => ChunkFor(index)[index & _mask] = value;

    /// <summary>The chunk holding <paramref name="index"/>, allocated on first use, for bulk writes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T[] ChunkFor(long index) => _slots[Slot(index)] ??= GC.AllocateUninitializedArray<T>(1 << _shift);

    /// <summary>Offset of <paramref name="index"/> inside its chunk.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int OffsetOf(long index) => (int)(index & _mask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Slot(long index)
    {
        // chunk mod slotCount; chunk numbers stay below 2^32 for 2^(32 + shift) items, beyond any real run,
        // and the plain modulo takes over past that.
        var chunk = (ulong)(index >> _shift);
        if (chunk <= uint.MaxValue)
        {
            var lowBits = _modMultiplier * chunk;
            return (int)Math.BigMul(lowBits, _slotCount, out _);
        }

        return (int)(chunk % _slotCount);
    }
}
