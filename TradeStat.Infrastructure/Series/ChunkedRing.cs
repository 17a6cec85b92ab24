using System.Runtime.CompilerServices;

namespace TradeStat.Infrastructure.Series;

/// <summary>
/// O(1) write and read; memory at most floor(capacity / chunk) + 3 chunks.
/// The last <c>capacity</c> items of an unbounded sequence, in fixed-size chunks addressed by absolute index, with
/// no division (a multiply-shift modulo). Memory grows chunk by chunk with the items held; a chunk whose items all
/// left the window is reused in place, so nothing older is kept alive.
/// </summary>
internal sealed class ChunkedRing<T>
    where T : struct
{
    private readonly T[]?[] _slots;
    private readonly RingSlots _ring;
    private readonly int _shift;
    private readonly long _mask;

    /// <param name="capacity">Items that must stay readable behind the newest one.</param>
    /// <param name="chunkShift">log2 of the chunk length.</param>
    public ChunkedRing(long capacity, int chunkShift)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkShift, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkShift, 24);
        _shift = chunkShift;
        _mask = (1L << chunkShift) - 1;

        _ring = new RingSlots(capacity, chunkShift);
        _slots = new T[]?[_ring.Count];
    }

    public int ChunkLength => 1 << _shift;

    /// <summary>Chunks allocated so far (for memory accounting).</summary>
    public int AllocatedChunks => RingSlots.Allocated(_slots);

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
    private int Slot(long index) => _ring.Of((ulong)(index >> _shift));
}
