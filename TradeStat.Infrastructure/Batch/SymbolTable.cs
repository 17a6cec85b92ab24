using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace TradeStat.Infrastructure.Batch;

/// <summary>
/// Lookup O(1); memory 2^24 ints of address space (resident only where three-byte symbols were seen) plus each name.
/// Dense ids for symbols, shared by all the chunks of one run. Three-byte symbols (the usual case) are found in a
/// table indexed directly by their bytes as a 24-bit number (no hashing, no validation, no lock once known: only
/// valid symbols are ever added, so a hit is a valid symbol); other symbols of up to eight bytes are found the same
/// way, by their bytes as one number, in an open-addressing hash table read without a lock; longer ones go through a
/// dictionary looked up with a stack copy of its bytes (no allocation once known). Three-byte symbols of bytes
/// 0x40–0x7E (<see cref="IsLetters"/>: letters, mostly) need no lookup at all in the hot loop while the letter keys
/// are open: their states sit at their <see cref="LetterKey"/> in each aggregation, and this table only settles which
/// symbol owns a key (<see cref="OwnsLetterKey"/>). Once the keys close (<see cref="LetterKeysClosed"/>: a universe of
/// mixed case or digits) every symbol takes the id path, owners included.
/// </summary>
/// <remarks>
/// The three-byte table is address space from the OS, zero-filled on first touch, so only the pages of symbols seen
/// become resident; every symbol also keeps its name (and, beyond three bytes, a dictionary entry). Thread-safe; new
/// ids are taken under a lock.
/// </remarks>
public sealed unsafe class SymbolTable
{
    /// <summary>Longest symbol in bytes.</summary>
    public const int MaxLength = 32;

    /// <summary>Number of letter keys (<see cref="LetterKey"/>): 2^15.</summary>
    public const int LetterKeys = 1 << 15;

    private const int ThreeByteKeys = 1 << 24;

    // The case (see LetterCase) of the letter symbol that owns each letter key, 0 while none does; set once, by
    // compare-and-swap. One byte a key: 32 KB, read by the parser for every letter symbol.
    private readonly byte[] _letterOwners = new byte[LetterKeys];
    private const byte Closed = 0xFF; // a key no symbol may claim any more
    private int _letterOwnerCount;
    private int _threeByteIds;        // under _lock
    private bool _lettersClosed;

    // id + 1 by ThreeByteKey; 0 = unknown. Unmanaged: calloc maps it lazily, where a managed array would be zeroed
    // (made resident) whole.
    private readonly int* _threeByte = (int*)NativeMemory.AllocZeroed(ThreeByteKeys, sizeof(int));
    private readonly ConcurrentDictionary<string, int> _general = new(StringComparer.Ordinal);
    private ShortTable _short = new(10);
    private readonly Lock _lock = new();
    private byte[][] _names = new byte[64][];
    private int _count;

    /// <summary>
    /// Number of symbols with an id (a letter symbol that owns its letter key has none while the keys are open: it
    /// needs none; it gets one when its states move to the id path).
    /// </summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Releases the three-byte table.</summary>
    ~SymbolTable() => NativeMemory.Free(_threeByte);

    /// <summary>The table key of a three-byte symbol: its bytes as a little-endian number, 0 to 2^24 − 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ThreeByteKey(uint b0, uint b1, uint b2) => (int)((b0 & 0xFF) | ((b1 & 0xFF) << 8) | ((b2 & 0xFF) << 16));

    /// <summary>
    /// The id of the three-byte symbol with <paramref name="key"/> (see <see cref="ThreeByteKey"/>), or −1 when it
    /// is not known yet (or is not a valid symbol, which is never added): then use <see cref="GetOrAdd"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int FindThreeByte(int key) => Volatile.Read(ref _threeByte[key]) - 1;

    /// <summary>
    /// True when <paramref name="word"/> (four bytes, little-endian) is a letter symbol and its comma: three bytes of
    /// 0x40–0x7E (<c>@</c>, <c>A</c>–<c>Z</c>, <c>[\]^_`</c>, <c>a</c>–<c>z</c>, <c>{|}~</c>), all valid symbol bytes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsLetters(uint word) => AreLetters(word, word);

    /// <summary>As <see cref="IsLetters"/> for two words at once (true when both are letter symbols).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AreLetters(uint first, uint second)
    {
        var words = first | ((ulong)second << 32);
        var x = (words ^ 0x007F7F7F007F7F7FUL) & 0x00FFFFFF00FFFFFFUL; // a zero byte where a symbol byte is 0x7F
        return (words & 0xFFC0C0C0FFC0C0C0UL) == 0x2C4040402C404040UL &&
            ((x - 0x0001010100010101UL) & ~x & 0x0080808000808080UL) == 0;
    }

    /// <summary>
    /// The letter key of a letter symbol (its three bytes, little-endian): the low five bits of each byte, 0 to
    /// 2^15 − 1. Computed, not looked up; upper and lower case of a letter share a key (<see cref="OwnsLetterKey"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LetterKey(uint symbol) => Bmi2.IsSupported
        ? (int)Bmi2.ParallelBitExtract(symbol, 0x1F1F1F)
        : (int)((symbol & 0x1F) | ((symbol >> 3) & 0x3E0) | ((symbol >> 6) & 0x7C00));

    /// <summary>
    /// Which of the eight letter symbols with one <see cref="LetterKey"/> this is, 1 to 8: the case bit (0x20) of each
    /// byte, which with the key gives back every byte of a letter symbol.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LetterCase(uint symbol) => (int)(((symbol >> 5) & 1) | ((symbol >> 12) & 2) | ((symbol >> 19) & 4)) + 1;

    /// <summary>
    /// True when the letter symbol <paramref name="symbol"/> (three bytes, little-endian) owns its
    /// <see cref="LetterKey"/>: the first letter symbol to ask for a key gets it, for the whole run, and its states sit
    /// at that key in every aggregation until the keys close. False when another letter symbol owns the key (the same letters in another
    /// case, or '@' for '`' and the like): this one then takes the id path. One byte load once the key is claimed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool OwnsLetterKey(uint symbol)
    {
        var owner = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_letterOwners), LetterKey(symbol)); // key < 2^15
        return owner == LetterCase(symbol) || (owner == 0 && ClaimLetterKey(symbol));
    }

    /// <summary>
    /// Whether letter keys are closed: then no key is claimed any more (those claimed keep their owners), and every
    /// other letter symbol takes the id path. See <see cref="LetterKeysCloseAt"/>.
    /// </summary>
    public bool LetterKeysClosed => Volatile.Read(ref _lettersClosed);

    /// <summary>
    /// Three-byte symbols on the id path (letter symbols whose key another one owns, and symbols with other bytes)
    /// after which, when they are also at least a quarter as many as the letter keys' owners, the keys close: in a
    /// mixed-case or alphanumeric universe most symbols would go by id anyway, and a loop that switches between the two
    /// paths at random costs more than the id path alone. A universe of one case never closes them.
    /// </summary>
    public const int LetterKeysCloseAt = 256;

    // A key no symbol owns yet: this one claims it, unless another gets there first or the keys are closed (a closed
    // key holds Closed, so each key's fate is settled by one compare-and-swap).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool ClaimLetterKey(uint symbol)
    {
        var mine = (byte)LetterCase(symbol);
        var owner = Interlocked.CompareExchange(ref _letterOwners[LetterKey(symbol)], mine, 0);
        if (owner == 0)
        {
            Interlocked.Increment(ref _letterOwnerCount);
            return true;
        }

        return owner == mine;
    }

    // Under _lock, when a three-byte symbol is given an id.
    private void CountThreeByteId()
    {
        _threeByteIds++;
        if (!_lettersClosed && _threeByteIds >= LetterKeysCloseAt && 4L * _threeByteIds >= Volatile.Read(ref _letterOwnerCount))
        {
            for (var key = 0; key < LetterKeys; key++)
            {
                Interlocked.CompareExchange(ref _letterOwners[key], Closed, 0);
            }

            Volatile.Write(ref _lettersClosed, true);
        }
    }

    /// <summary>
    /// The key of a symbol of one to eight bytes: its bytes as a little-endian number, zero above the last one (a
    /// valid symbol has no zero byte, so the key also gives the length).
    /// </summary>
    public static ulong ShortKey(ReadOnlySpan<byte> symbol)
    {
        ulong key = 0;
        for (var i = symbol.Length - 1; i >= 0; i--)
        {
            key = (key << 8) | symbol[i];
        }

        return key;
    }

    /// <summary>
    /// The id of the symbol of one to eight bytes (other than three) with <paramref name="key"/> (see
    /// <see cref="ShortKey"/>), or −1 when it is not known yet (or is not a valid symbol, which is never added): then
    /// use <see cref="GetOrAdd"/>. Without a lock: an addition that moves the table to a larger one only sends a
    /// reader of the old one to <see cref="GetOrAdd"/>.
    /// </summary>
    public int FindShort(ulong key) => Volatile.Read(ref _short).Find(key);

    /// <summary>The id of any valid symbol (see <see cref="IsValid"/>), added if new.</summary>
    public int GetOrAdd(ReadOnlySpan<byte> symbol)
    {
        if (symbol.Length == 3)
        {
            return GetOrAddThreeByte(ThreeByteKey(symbol[0], symbol[1], symbol[2]));
        }

        if (symbol.Length is >= 1 and <= 8)
        {
            var shortKey = ShortKey(symbol);
            var known = FindShort(shortKey);
            return known >= 0 ? known : AddShort(shortKey, symbol);
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

    /// <summary>
    /// The id of the valid three-byte symbol with <paramref name="key"/> (see <see cref="ThreeByteKey"/>; a letter
    /// symbol's three bytes as <see cref="IsLetters"/> gives them are its key), added if new. The caller vouches for
    /// its validity (<see cref="GetOrAdd"/> checks it).
    /// </summary>
    internal int GetOrAddThreeByte(int key)
    {
        var known = FindThreeByte(key);
        return known >= 0 ? known : AddThreeByte(key);
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

    private int AddThreeByte(int key)
    {
        lock (_lock)
        {
            var id = _threeByte[key] - 1;
            if (id >= 0)
            {
                return id;
            }

            id = Register([(byte)key, (byte)(key >> 8), (byte)(key >> 16)]);
            Volatile.Write(ref _threeByte[key], id + 1);
            CountThreeByteId();
            return id;
        }
    }

    private int AddShort(ulong key, ReadOnlySpan<byte> symbol)
    {
        lock (_lock)
        {
            var table = _short;
            var id = table.Find(key);
            if (id >= 0)
            {
                return id;
            }

            id = Register(symbol.ToArray());
            if (!table.TryAdd(key, id))
            {
                // Half full: a table twice the size, filled before it is published.
                var grown = new ShortTable(table.Bits + 1);
                table.CopyTo(grown);
                grown.TryAdd(key, id);
                Volatile.Write(ref _short, grown);
            }

            return id;
        }
    }

    // Open addressing with linear probing over (key, id) pairs, one 16-byte entry a probe; key 0 marks a free entry.
    // Written only under _lock, read by anyone: an entry's id is written before its key is published.
    private sealed class ShortTable(int bits)
    {
        private readonly Entry[] _entries = new Entry[1 << bits];
        private int _count;

        public int Bits => bits;

        public int Find(ulong key)
        {
            var mask = _entries.Length - 1;
            var i = Home(key);
            while (true)
            {
                ref var entry = ref _entries[i];
                var found = Volatile.Read(ref entry.Key);
                if (found == key)
                {
                    return key == 0 ? -1 : entry.Id;
                }

                if (found == 0)
                {
                    return -1;
                }

                i = (i + 1) & mask;
            }
        }

        // False (nothing added) when the table is half full.
        public bool TryAdd(ulong key, int id)
        {
            if (2 * (_count + 1) > _entries.Length)
            {
                return false;
            }

            var mask = _entries.Length - 1;
            var i = Home(key);
            while (_entries[i].Key != 0)
            {
                i = (i + 1) & mask;
            }

            _entries[i].Id = id;
            Volatile.Write(ref _entries[i].Key, key);
            _count++;
            return true;
        }

        public void CopyTo(ShortTable other)
        {
            foreach (var entry in _entries)
            {
                if (entry.Key != 0)
                {
                    other.TryAdd(entry.Key, entry.Id);
                }
            }
        }

        // Fibonacci hashing: the top bits of the key times 2^64 / φ.
        private int Home(ulong key) => (int)((key * 0x9E3779B97F4A7C15UL) >> (64 - bits));

        private struct Entry
        {
            public ulong Key;
            public int Id;
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
