using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TradeStat.Domain.Trades;

/// <summary>
/// Dense ids for symbols, shared by all the chunks of one run. Three printable ASCII bytes (0x21–0x7E, not ',')
/// index a table directly by their 24-bit little-endian value (no hashing, no lock once known); any other symbol
/// goes through a dictionary looked up with a stack copy of its bytes (no allocation once known).
/// </summary>
/// <remarks>
/// Lookups O(1). Memory: the direct table is 32 MB of address space from the OS, zero-filled on first touch, so
/// only the 4 KiB pages of symbols seen become resident (~0.7 MB for all 17,576 lowercase triples); plus ~100
/// bytes per symbol. Thread-safe; new ids are taken under a lock.
/// </remarks>
public sealed unsafe class SymbolTable
{
    /// <summary>Longest symbol in bytes.</summary>
    public const int MaxLength = 32;

    private const int First = 0x21;
    private const int Last = 0x7E;
    private const int DirectSize = 1 << 23; // three bytes below 0x80

    // id + 1 by DirectIndex; 0 = unknown. Unmanaged: calloc maps it lazily, where a managed array would be zeroed
    // (made resident) whole.
    private readonly int* _direct = (int*)NativeMemory.AllocZeroed(DirectSize, sizeof(int));
    private readonly ConcurrentDictionary<string, int> _general = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private byte[][] _names = new byte[64][];
    private int _count;

    /// <summary>Number of symbols known.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Releases the direct table.</summary>
    ~SymbolTable() => NativeMemory.Free(_direct);

    /// <summary>True when the three bytes take the direct path (printable ASCII, no space, no comma).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsDirect(uint b0, uint b1, uint b2) =>
        b0 - First <= Last - First && b1 - First <= Last - First && b2 - First <= Last - First
        && b0 != ',' && b1 != ',' && b2 != ',';

    /// <summary>
    /// True when the little-endian <paramref name="word"/> is a direct symbol (see <see cref="IsDirect"/>) and a
    /// comma; its index is then <c>word &amp; 0xFFFFFF</c>. All three bytes are checked at once, without a table.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsDirectWord(uint word)
    {
        var s = word & 0xFFFFFF;
        var commas = s ^ 0x2C2C2C;
        // Per byte, the high bit is set when the byte is ≥ 0x80 (s), below 0x21 (no borrow: (b | 0x80) − 0x21 ≥ 0),
        // 0x7F (b + 1), or a comma (the exact "has a zero byte" test on s ^ ','s).
        var bad = (s | ~((s | 0x808080) - 0x212121) | (s + 0x010101) | ((commas - 0x010101) & ~commas)) & 0x808080;
        return bad == 0 && (word >> 24) == ',';
    }

    /// <summary>The direct-table index of three bytes for which <see cref="IsDirect"/> holds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int DirectIndex(uint b0, uint b1, uint b2) => (int)(b0 | (b1 << 8) | (b2 << 16));

    /// <summary>The id of the symbol at <paramref name="directIndex"/> (see <see cref="DirectIndex"/>), added if new.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int GetOrAddDirect(int directIndex)
    {
        var id = Volatile.Read(ref _direct[directIndex]) - 1;
        return id >= 0 ? id : AddDirect(directIndex);
    }

    /// <summary>The id of any valid symbol (see <see cref="IsValid"/>), added if new.</summary>
    public int GetOrAdd(ReadOnlySpan<byte> symbol)
    {
        if (symbol.Length == 3 && IsDirect(symbol[0], symbol[1], symbol[2]))
        {
            return GetOrAddDirect(DirectIndex(symbol[0], symbol[1], symbol[2]));
        }

        // Bytes widen one-to-one to chars (Latin-1), so the key is exact for any bytes, UTF-8 included.
        Span<char> key = stackalloc char[MaxLength];
        for (var i = 0; i < symbol.Length; i++)
        {
            key[i] = (char)symbol[i];
        }

        var lookup = _general.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(key[..symbol.Length], out var id))
        {
            return id;
        }

        lock (_lock)
        {
            if (lookup.TryGetValue(key[..symbol.Length], out id))
            {
                return id;
            }

            id = Register(symbol.ToArray());
            _general[new string(key[..symbol.Length])] = id;
            return id;
        }
    }

    /// <summary>The bytes of symbol <paramref name="id"/>.</summary>
    public ReadOnlySpan<byte> Name(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, Count);
        return Volatile.Read(ref _names)[id];
    }

    /// <summary>True for 1 to <see cref="MaxLength"/> bytes none of which is a comma or a control character.</summary>
    public static bool IsValid(ReadOnlySpan<byte> symbol)
    {
        if (symbol.Length is 0 or > MaxLength)
        {
            return false;
        }

        foreach (var b in symbol)
        {
            if (b is < 0x20 or 0x7F or (byte)',')
            {
                return false;
            }
        }

        return true;
    }

    private int AddDirect(int directIndex)
    {
        lock (_lock)
        {
            var id = _direct[directIndex] - 1;
            if (id >= 0)
            {
                return id;
            }

            id = Register([(byte)directIndex, (byte)(directIndex >> 8), (byte)(directIndex >> 16)]);
            Volatile.Write(ref _direct[directIndex], id + 1);
            return id;
        }
    }

    // Under _lock: the name is stored before the id is published.
    private int Register(byte[] name)
    {
        var id = _count;
        if (id == _names.Length)
        {
            var grown = new byte[id * 2][];
            Array.Copy(_names, grown, id);
            Volatile.Write(ref _names, grown);
        }

        _names[id] = name;
        Volatile.Write(ref _count, id + 1);
        return id;
    }
}
