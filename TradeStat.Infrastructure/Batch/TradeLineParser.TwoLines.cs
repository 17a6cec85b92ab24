using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TradeStat.Infrastructure.Batch;

// Two lines from one 64-byte vector, where the CPU has AVX-512 VBMI2 (x64).
internal static unsafe partial class TradeLineParser
{
    /// <summary>Whether this CPU can read two lines at once (<see cref="TryParseTwo"/>).</summary>
    public static bool TwoLinesSupported { get; } =
        Avx512Vbmi2.IsSupported && Avx512Vbmi.IsSupported && Avx512BW.IsSupported && Bmi2.X64.IsSupported;

    // Bytes TryParseTwo loads at a line's start: it needs this much minus Padding before the region's end.
    private const int TwoLinesWindow = 64;

    // The field lengths allowed, one byte each from the first timestamp on: timestamp 1–16, symbol 3, quantity and
    // price 1–8, twice. Wider fields, other symbol lengths, '\r' and anything unusual go line by line.
    private const ulong MaxLengths = 0x0808031008080310UL;
    private const ulong SymbolLengths = 0x0000FF000000FF00UL;
    private const ulong SymbolsOfThree = 0x0000030000000300UL;
    private const ulong OneEach = 0x0101010101010101UL;

    /// <summary>
    /// Reads the two lines at <paramref name="p"/> when both are <c>timestamp,sym,quantity,price\n</c> with a
    /// three-byte symbol (<paramref name="firstWord"/> and <paramref name="secondWord"/> get its bytes and the comma
    /// after them, for the caller to look up), at most 16, 8 and 8 digits, quantity and price not 0: the line feeds, commas and lengths
    /// from one 64-byte load (the separators' positions gathered by one compress), the six numbers from one byte
    /// permute and four multiply-adds. False (nothing consumed) for anything else; the caller then reads line by line,
    /// which also validates and words the reason for an invalid line.
    /// </summary>
    /// <remarks>
    /// 64 bytes from <paramref name="p"/> must be readable. The timestamps' order is the caller's check; the second
    /// line may end past the region (<paramref name="length"/> tells where it ends).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TryParseTwo(byte* p, out Vector512<ulong> timestamps,
        out Vector512<uint> groups, out uint firstWord, out uint secondWord, out int length)
    {
        Unsafe.SkipInit(out timestamps);
        Unsafe.SkipInit(out groups);
        firstWord = secondWord = 0;
        length = 0;
        var v = Vector512.Load(p);
        var commas = Vector512.Equals(v, Vector512.Create((byte)','));
        var lineFeeds = Vector512.Equals(v, Vector512.Create((byte)'\n'));
        var separators = commas | lineFeeds;
        var separatorBits = separators.ExtractMostSignificantBits();

        // Of the first eight separators, the fourth and the eighth are line feeds and the others commas.
        if ((Bmi2.X64.ParallelBitExtract(lineFeeds.ExtractMostSignificantBits(), separatorBits) & 0xFF) != 0x88)
        {
            return false;
        }

        // Their positions in bytes 0–7 (the lanes past the last separator hold 0xFF, i.e. −1 as a signed byte), and the
        // field lengths between them: no borrow crosses a byte, since each position exceeds the one before.
        var positions = Avx512Vbmi2.Compress(Vector512<byte>.AllBitsSet, separators, ByteIndex);
        var s = positions.AsUInt64().ToScalar();
        var lengths = s - ((s + OneEach) << 8);
        var empty = (lengths - OneEach) & ~lengths & HighBits;
        var tooLong = (lengths + (HighBits - MaxLengths - OneEach)) & HighBits;
        if ((empty | tooLong | ((lengths ^ SymbolsOfThree) & SymbolLengths)) != 0)
        {
            return false;
        }

        // Each number right-aligned into its lanes (16 for a timestamp, 8 for a quantity or a price), zeros in front:
        // lane j reads the byte at (its field's end) − (its group's end − j), kept when that is past the separator
        // before the field. Every byte kept must be a digit.
        var index = Avx512Vbmi.PermuteVar64x8(positions, FieldEnds) + LaneOffsets;
        var before = Avx512Vbmi.PermuteVar64x8(positions, FieldStarts);
        var inField = Vector512.GreaterThan(index.AsSByte(), before.AsSByte()).AsByte();
        var digits = Avx512Vbmi.PermuteVar64x8(v ^ Vector512.Create((byte)'0'), index) & inField;
        if (Vector512.GreaterThanAny(digits, Vector512.Create((byte)9)))
        {
            return false;
        }

        firstWord = Unsafe.ReadUnaligned<uint>(p + (int)(s & 0xFF) + 1);
        secondWord = Unsafe.ReadUnaligned<uint>(p + (int)((s >> 32) & 0xFF) + 1);

        // Pairs, fours and eights (as EightDigitGroups, on four 16-byte lanes at once): dwords 0–1 the first timestamp's
        // two halves, 4 and 5 the first quantity and price, 8–9 and 12–13 the second line's; then each timestamp as
        // high half × 10^8 + low half in qwords 0 and 4.
        var pairs = Avx512BW.MultiplyAddAdjacent(digits, Vector512.Create((short)0x010A).AsSByte());
        var fours = Avx512BW.MultiplyAddAdjacent(pairs, Vector512.Create(0x0001_0064).AsInt16());
        var eights = Avx512BW.MultiplyAddAdjacent(Avx512BW.PackUnsignedSaturate(fours, fours).AsInt16(),
            Vector512.Create(0x0001_2710).AsInt16());
        groups = eights.AsUInt32();
        if ((Vector512.Equals(groups, Vector512<uint>.Zero) & QuantitiesAndPrices) != Vector512<uint>.Zero)
        {
            return false; // a quantity or a price of 0
        }

        timestamps = Avx512F.Multiply(groups, Vector512.Create(100_000_000UL).AsUInt32()) + (groups.AsUInt64() >> 32);
        length = (int)(s >> 56) + 1;
        return true;
    }

    private static readonly Vector512<byte> ByteIndex = Lanes(j => j);

    // Dwords 4, 5, 12 and 13 of the eight-digit groups.
    private static readonly Vector512<uint> QuantitiesAndPrices = Lanes(j => (j / 4) is 4 or 5 or 12 or 13 ? 0xFF : 0).AsUInt32();

    // The separator that ends each lane's field: lanes 0–15 the first timestamp (separator 0), 16–23 its quantity (2),
    // 24–31 its price (3), 32–47 the second timestamp (4), 48–55 its quantity (6), 56–63 its price (7).
    private static readonly Vector512<byte> FieldEnds = Lanes(j => j < 16 ? 0 : j < 24 ? 2 : j < 32 ? 3 : j < 48 ? 4 : j < 56 ? 6 : 7);

    // The separator before each lane's field (lane 63 of the positions holds −1: the first line starts at byte 0).
    private static readonly Vector512<byte> FieldStarts = Lanes(j => j < 16 ? 63 : j < 24 ? 1 : j < 32 ? 2 : j < 48 ? 3 : j < 56 ? 5 : 6);

    // j − (the end of j's group): the group's last lane reads the byte just before the field's separator.
    private static readonly Vector512<byte> LaneOffsets = Lanes(j => j - (j < 16 ? 16 : j < 24 ? 24 : j < 32 ? 32 : j < 48 ? 48 : j < 56 ? 56 : 64));

    private static Vector512<byte> Lanes(Func<int, int> lane)
    {
        Span<byte> bytes = stackalloc byte[Vector512<byte>.Count];
        for (var j = 0; j < bytes.Length; j++)
        {
            bytes[j] = (byte)lane(j);
        }

        return Vector512.Create((ReadOnlySpan<byte>)bytes);
    }
}
