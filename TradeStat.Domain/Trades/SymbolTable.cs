using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TradeStat.Domain.Trades;

/// <summary>
/// Dense ids for symbols, shared by all the chunks of one run. Three printable ASCII bytes (0x21–0x7E, not ',')
/// index a 94³-entry table directly (3.3 MB, no hashing, no lock once known); any other symbol goes through
/// a dictionary looked up with a stack copy of its bytes (no allocation once known).
/// </summary>
/// <remarks>Lookups O(1). Memory: 3.3 MB plus ~100 bytes per symbol. Thread-safe; new ids are taken under a lock.</remarks>
public sealed class SymbolTable
{
    /// <summary>Longest symbol in bytes.</summary>
    public const int MaxLength = 32;

    private const int Radix = 94;
    private const int First = 0x21;

    private readonly int[] _direct = new int[Radix * Radix * Radix]; // id + 1; 0 = unknown
    private readonly ConcurrentDictionary<string, int> _general = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private byte[][] _names = new byte[64][];
    private int _count;

    /// <summary>Number of symbols known.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>True when the three bytes take the direct path (printable ASCII, no space, no comma).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsDirect(uint b0, uint b1, uint b2) =>
        b0 - First < Radix && b1 - First < Radix && b2 - First < Radix && b0 != ',' && b1 != ',' && b2 != ',';

    /// <summary>
    /// A byte's digit in the direct index (byte − 0x21), or a value with the high bit set when the byte cannot be
    /// part of a direct symbol: OR the three digits and test 0x80 to check all three bytes at once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint DirectDigit(uint b) => Unsafe.Add(ref MemoryMarshal.GetReference(DirectDigits), (nint)(b & 0xFF));

    /// <summary>The direct-table index of three <see cref="DirectDigit"/>s, all valid.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int DirectIndexOfDigits(uint d0, uint d1, uint d2) => (int)((d0 * Radix + d1) * Radix + d2);

    /// <summary>The direct-table index of three bytes for which <see cref="IsDirect"/> holds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int DirectIndex(uint b0, uint b1, uint b2) =>
        (int)(((b0 - First) * Radix + (b1 - First)) * Radix + (b2 - First));

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

    private static ReadOnlySpan<byte> DirectDigits =>
        [
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            0xFF, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0xFF, 0x0C, 0x0D, 0x0E,
            0x0F, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E,
            0x1F, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x2D, 0x2E,
            0x2F, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E,
            0x3F, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E,
            0x4F, 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0x5B, 0x5C, 0x5D, 0xFF,
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        ];

    private int AddDirect(int directIndex)
    {
        lock (_lock)
        {
            var id = _direct[directIndex] - 1;
            if (id >= 0)
            {
                return id;
            }

            var rest = directIndex;
            var b2 = (byte)(rest % Radix + First);
            rest /= Radix;
            var b1 = (byte)(rest % Radix + First);
            var b0 = (byte)(rest / Radix + First);
            id = Register([b0, b1, b2]);
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
