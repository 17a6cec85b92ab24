using System.Runtime.CompilerServices;

namespace TradeStat.Infrastructure.Series;

/// <summary>
/// O(1) store and read per value; memory 4 bytes per value in compact chunks, 8 in wide ones, plus one byte per 64 values.
/// The stored values of a series: the last <c>capacity</c> values of an unbounded sequence, written a sub-block
/// (64 values) at a time and addressed by absolute index, in chunks of 2^shift values laid out like
/// <see cref="ChunkedRing{T}"/>'s (allocated with the values held, reused in place once all their values are old).
/// A sub-block whose values are all m / 10^d, for 32-bit integers m and one d in 0..9, is kept as those m:
/// 4 bytes a value instead of 8. Prices sent with at most d decimals are such values, since parsing the text gives
/// the double nearest to m / 10^d, which is what the division returns.
/// </summary>
/// <remarks>
/// Exact by construction: a value is stored as m only after dividing m by 10^d gave back its very bits (-0.0, NaN,
/// infinities, values beyond ±2^31 / 10^d and values with more digits fail that check), and it is read back with the
/// same division. A sub-block that fits no such encoding makes its chunk wide: the chunk's sub-blocks so far are
/// decoded into a double array, which holds the rest of that chunk's values (when its slot is reused, the chunk is
/// compact again if its new first sub-block fits). Memory: 4 bytes per value for compact chunks, 8 for wide ones,
/// plus one byte per sub-block, plus at most one spare array of each kind: an array a chunk gives up is kept for the
/// next chunk that needs one, so data that keeps switching between the two forms allocates nothing once the ring is
/// full. Sub-blocks are stored in order, each once. The m / 10^d encoding itself is in CompactValueRing.Encoding.cs.
/// </remarks>
internal sealed partial class CompactValueRing
{
    public const int SubShift = 6;
    public const int SubLength = 1 << SubShift;

    private readonly Chunk?[] _slots;
    private readonly long _capacity;
    private readonly int _shift;
    private readonly int _subsPerChunkShift;
    private readonly RingSlots _ring;
    private int _decimalsHint; // the d of the last compact sub-block: tried first
    private long _stored;       // sub-blocks stored so far: the next one to store
    private int[]? _spareScaled;
    private double[]? _spareWide;

    /// <param name="capacity">Values that must stay readable behind the newest one.</param>
    /// <param name="chunkShift">log2 of the chunk length; at least <see cref="SubShift"/>, so that chunks hold
    /// whole sub-blocks.</param>
    public CompactValueRing(long capacity, int chunkShift)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkShift, SubShift);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkShift, 24);
        _capacity = capacity;
        _shift = chunkShift;
        _subsPerChunkShift = chunkShift - SubShift;

        _ring = new RingSlots(capacity, chunkShift);
        _slots = new Chunk?[_ring.Count];
    }

    public int ChunkLength => 1 << _shift;

    /// <summary>Chunks allocated so far (for memory accounting).</summary>
    public int AllocatedChunks => RingSlots.Allocated(_slots);

    /// <summary>Bytes held by the chunks' arrays and the spare ones (for memory accounting and tests).</summary>
    public long AllocatedBytes
    {
        get
        {
            long bytes = ((_spareScaled?.Length ?? 0) * (long)sizeof(int)) + ((_spareWide?.Length ?? 0) * (long)sizeof(double));
            foreach (var slot in _slots)
            {
                bytes += slot?.Bytes ?? 0;
            }

            return bytes;
        }
    }

    /// <summary>
    /// Stores the 64 values of sub-block <paramref name="subIndex"/> (values subIndex·64 … subIndex·64 + 63): the
    /// sub-block after the last one stored.
    /// </summary>
    public void Store(long subIndex, ReadOnlySpan<double> values)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(values.Length, SubLength);
        if (subIndex != _stored)
        {
            throw new ArgumentOutOfRangeException(nameof(subIndex), subIndex, $"Sub-blocks are stored in order: the next one is {_stored}.");
        }

        _stored = subIndex + 1;
        var chunk = _slots[_ring.Of((ulong)subIndex >> _subsPerChunkShift)] ??= new Chunk(_shift);
        var sub = (int)(subIndex & ((1L << _subsPerChunkShift) - 1));
        var offset = sub << SubShift;
        if (sub == 0)
        {
            // The slot's values are all old: this chunk starts over, compact if its first sub-block fits.
            Span<int> scaled = stackalloc int[SubLength];
            if (TryEncode(values, scaled, out var decimals))
            {
                StartCompact(chunk);
                scaled.CopyTo(chunk.Scaled);
                chunk.Decimals[0] = (byte)decimals;
            }
            else
            {
                StartWide(chunk);
                values.CopyTo(chunk.Wide);
            }

            return;
        }

        if (chunk.Wide is null)
        {
            if (TryEncode(values, chunk.Scaled.AsSpan(offset, SubLength), out var decimals))
            {
                chunk.Decimals[sub] = (byte)decimals;
                return;
            }

            Widen(chunk, sub);
        }

        values.CopyTo(chunk.Wide.AsSpan(offset, SubLength));
    }

    /// <summary>
    /// Copies the stored values from <paramref name="from"/> on into <paramref name="destination"/>: values still held
    /// (at most <c>capacity</c> behind the newest stored one) and stored already.
    /// </summary>
    public void CopyTo(long from, Span<double> destination)
    {
        if (destination.IsEmpty)
        {
            return;
        }

        var end = _stored << SubShift;
        if (from < Math.Max(0, end - _capacity - 1) || from > end - destination.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(from), from, $"Values {from}..{from + destination.Length - 1} are not held (held: up to {end - 1}, {_capacity} back).");
        }

        while (!destination.IsEmpty)
        {
            var chunk = _slots[_ring.Of((ulong)from >> _shift)]!;
            var offset = (int)(from & ((1L << _shift) - 1));
            var length = Math.Min(destination.Length, SubLength - (offset & (SubLength - 1)));
            var target = destination[..length];
            if (chunk.Wide is { } wide)
            {
                wide.AsSpan(offset, length).CopyTo(target);
            }
            else
            {
                Decode(chunk.Scaled.AsSpan(offset, length), chunk.Decimals[offset >> SubShift], target);
            }

            from += length;
            destination = destination[length..];
        }
    }

    /// <summary>
    /// Finds a d for which every value is m / 10^d with a 32-bit m (the last sub-block's d first, then 0 … 9) and
    /// writes those m; false when there is none.
    /// </summary>
    private bool TryEncode(ReadOnlySpan<double> values, Span<int> scaled, out int decimals)
    {
        if (TryEncode(values, _decimalsHint, scaled))
        {
            decimals = _decimalsHint;
            return true;
        }

        for (decimals = 0; decimals <= MaxDecimals; decimals++)
        {
            if (decimals != _decimalsHint && TryEncode(values, decimals, scaled))
            {
                _decimalsHint = decimals;
                return true;
            }
        }

        return false;
    }
    /// <summary>The chunk starts over compact: it gets a scaled array (its own, the spare or a new one) and gives up its doubles.</summary>
    private void StartCompact(Chunk chunk)
    {
        if (chunk.Scaled.Length == 0)
        {
            chunk.Scaled = _spareScaled ?? GC.AllocateUninitializedArray<int>(ChunkLength);
            _spareScaled = null;
        }

        if (chunk.Wide is { } wide)
        {
            _spareWide ??= wide;
            chunk.Wide = null;
        }
    }

    /// <summary>The chunk starts over wide: it gets a double array and gives up its scaled one.</summary>
    private void StartWide(Chunk chunk)
    {
        if (chunk.Wide is null)
        {
            chunk.Wide = _spareWide ?? GC.AllocateUninitializedArray<double>(ChunkLength);
            _spareWide = null;
        }

        GiveUpScaled(chunk);
    }

    /// <summary>Sub-block <paramref name="sub"/> did not fit: sub-blocks 0 … sub − 1 are decoded into doubles.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Widen(Chunk chunk, int sub)
    {
        var wide = _spareWide ?? GC.AllocateUninitializedArray<double>(ChunkLength);
        _spareWide = null;
        for (var s = 0; s < sub; s++)
        {
            Decode(chunk.Scaled.AsSpan(s << SubShift, SubLength), chunk.Decimals[s], wide.AsSpan(s << SubShift, SubLength));
        }

        chunk.Wide = wide;
        GiveUpScaled(chunk);
    }

    private void GiveUpScaled(Chunk chunk)
    {
        if (chunk.Scaled.Length != 0)
        {
            _spareScaled ??= chunk.Scaled;
            chunk.Scaled = [];
        }
    }

    /// <summary>One chunk: compact (32-bit m and a d per sub-block) or wide (doubles).</summary>
    private sealed class Chunk(int shift)
    {
        public int[] Scaled { get; set; } = [];

        public byte[] Decimals { get; } = new byte[(1 << shift) >> SubShift];

        /// <summary>The values as doubles when the chunk is wide; null while it is compact.</summary>
        public double[]? Wide { get; set; }

        public long Bytes => (Scaled.Length * (long)sizeof(int)) + ((Wide?.Length ?? 0) * (long)sizeof(double)) + Decimals.Length;
    }
}
