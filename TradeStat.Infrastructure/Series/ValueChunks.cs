using System.Runtime.CompilerServices;

namespace TradeStat.Infrastructure.Series;

/// <summary>
/// The last <c>capacity</c> values of a series in fixed-size chunks: O(1) write and read by absolute index.
/// Memory grows chunk by chunk with the points held and stops at ceil(capacity / chunk) + 2 chunks; a chunk
/// whose values have all left the window is reused in place for new values, so nothing older is kept alive.
/// </summary>
internal sealed class ValueChunks
{
    private readonly double[]?[] _slots;
    private readonly int _shift;
    private readonly long _mask;

    /// <param name="capacity">Values that must stay readable behind the newest one.</param>
    /// <param name="chunkShift">log2 of the chunk length (16 → 65,536 values, 512 KiB).</param>
    public ValueChunks(long capacity, int chunkShift = 16)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfNotEqual(chunkShift is >= 2 and <= 24, true, nameof(chunkShift));
        _shift = chunkShift;
        _mask = (1L << chunkShift) - 1;

        // A window of `capacity` values plus the one being written spans at most this many chunks; one more
        // slot guarantees that the chunk being reused holds only values older than the window.
        var slots = checked((int)((capacity >> chunkShift) + 3));
        _slots = new double[]?[slots];
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
                if (slot is not null)
                {
                    n++;
                }
            }

            return n;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(long index, double value)
    {
        var slot = (int)((ulong)(index >> _shift) % (ulong)_slots.Length);
        var chunk = _slots[slot] ??= AllocateChunk();
        chunk[index & _mask] = value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Get(long index)
    {
        var slot = (int)((ulong)(index >> _shift) % (ulong)_slots.Length);
        return _slots[slot]![index & _mask];
    }

    private double[] AllocateChunk() => GC.AllocateUninitializedArray<double>(1 << _shift);
}
