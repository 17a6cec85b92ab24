using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TradeStat.Domain.Trades;

namespace TradeStat.Infrastructure.Csv;

/// <summary>
/// The hot loop: parses complete <c>timestamp,symbol,quantity,price\n</c> lines straight from bytes into a
/// <see cref="CsvChunk{TMetrics}"/>. Numbers are read eight digits at a time (SWAR), three-byte symbols index the
/// symbol table directly; nothing is allocated per line.
/// </summary>
/// <remarks>O(bytes). The region must end with '\n' and have <see cref="Padding"/> readable bytes after it.</remarks>
internal static unsafe class TradeLineParser
{
    /// <summary>Readable bytes needed after the region (eight-byte loads near the last line's end).</summary>
    public const int Padding = 16;

    private const ulong Zeros = 0x3030303030303030UL;
    private const ulong HighBits = 0x8080808080808080UL;
    private const ulong AboveNine = 0x7676767676767676UL; // + 0x76 sets the high bit of bytes 10..0x7F

    /// <summary>Parses the lines in [<paramref name="start"/>, <paramref name="end"/>) into <paramref name="chunk"/>, which is empty.</summary>
    public static void Parse<TMetrics>(byte* start, byte* end, CsvChunk<TMetrics> chunk, SymbolTable symbols, bool skipInvalid)
        where TMetrics : struct, ITradeMetric<TMetrics>
    {
        // The loop keeps only the line count: accepted = lines − rejected, and the first trade (its timestamp and
        // line go to the ordered merge) is the line after the leading invalid ones, read again once at the end.
        // What only the invalid-line path needs lives in the chunk, leaving the registers to the hot loop.
        chunk.SkipInvalid = skipInvalid;
        chunk.FirstTradeStart = (nint)start;
        chunk.FirstTradeLine = 1;
        var trades = chunk.Trades;
        var last = chunk.LastTimestamp;
        var lines = 0L;
        var p = start;
        while (p < end)
        {
            var line = p;
            p = ParseTimestamp(p, out var timestamp);
            // last ≥ 0, so this also rejects timestamps above long.MaxValue (and empty ones, see ParseTimestamp).
            if (*p != ',' || (long)timestamp < last)
            {
                goto Invalid;
            }

            p++;
            int id;
            var word = Unsafe.ReadUnaligned<uint>(p);
            if (SymbolTable.IsDirectWord(word))
            {
                id = symbols.GetOrAddDirect((int)(word & 0xFFFFFF));
                p += 4;
            }
            else
            {
                id = ParseGeneralSymbol(p, symbols, out var symbolLength);
                if (id < 0)
                {
                    goto Invalid;
                }

                p += symbolLength + 1;
            }

            // 1 ≤ quantity, price ≤ long.MaxValue: ParseNumber gives 0 for an empty field and above long.MaxValue.
            p = ParseNumber(p, out var quantity);
            if (*p != ',' || quantity == 0)
            {
                goto Invalid;
            }

            p = ParseNumber(p + 1, out var price);
            if (price == 0)
            {
                goto Invalid;
            }

            if (*p == '\r')
            {
                p++;
            }

            if (*p != '\n')
            {
                goto Invalid;
            }

            p++;
            lines++;
            last = (long)timestamp;
            trades.Observe(id, new Trade((long)timestamp, (long)quantity, (long)price));
            continue;

        Invalid:
            lines++;
            chunk.Lines = lines;
            p = Reject(line, chunk, last);
            if (p == null)
            {
                break;
            }
        }

        chunk.Lines = lines;
        // A line that stopped the chunk is counted in lines but not in InvalidLines.
        chunk.Accepted = lines - chunk.InvalidLines - (chunk.Stopped ? 1 : 0);
        if (chunk.Accepted > 0)
        {
            ParseTimestamp((byte*)chunk.FirstTradeStart, out var first);
            chunk.FirstTimestamp = (long)first;
            chunk.FirstTimestampLine = chunk.FirstTradeLine;
            chunk.LastTimestamp = last;
        }
    }

    // An invalid line at `line` (already counted in chunk.Lines): words the first reason, records it; the next
    // line's start, or null when the chunk must stop.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static byte* Reject<TMetrics>(byte* line, CsvChunk<TMetrics> chunk, long last)
        where TMetrics : struct, ITradeMetric<TMetrics>
    {
        var lineEnd = line;
        while (*lineEnd != '\n')
        {
            lineEnd++;
        }

        var leading = chunk.Lines - 1 == chunk.InvalidLines; // every line before this one was invalid too
        var reason = chunk.FirstInvalidReason is null
            ? LineDiagnosis.Explain(new ReadOnlySpan<byte>(line, (int)(lineEnd - line)), last)
            : null;
        if (!chunk.Reject(reason, chunk.SkipInvalid))
        {
            return null;
        }

        if (leading)
        {
            chunk.FirstTradeStart = (nint)(lineEnd + 1);
            chunk.FirstTradeLine = chunk.Lines + 1;
        }

        return lineEnd + 1;
    }

    // Quantities and prices: up to seven digits from one word (an empty field gives 0, which the caller rejects);
    // longer ones out of line. The pointer to the first non-digit (a digit when there are more than 19).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* ParseNumber(byte* p, out ulong value)
    {
        if (Sse41.IsSupported)
        {
            return ParseVector(p, out value);
        }

        var x = Unsafe.ReadUnaligned<ulong>(p) ^ Zeros;
        var nonDigits = ((x + AboveNine) | x) & HighBits;
        if (nonDigits != 0)
        {
            var length = BitOperations.TrailingZeroCount(nonDigits) >> 3;
            value = ParseShort(x, length);
            return p + length;
        }

        var number = ParseLong(p);
        value = number.Value;
        return p + number.Length;
    }

    // Timestamps (microseconds since midnight: 11 digits from 02:46:40 on) take two words inline: eight digits,
    // then up to seven more. An empty or over-long timestamp reads as ulong.MaxValue, which is negative as a long
    // and so fails the caller's "not before the previous timestamp" test (the pointer is never null: no test).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* ParseTimestamp(byte* p, out ulong value)
    {
        if (Sse41.IsSupported)
        {
            var next = ParseVector(p, out var read);
            value = next == p ? ulong.MaxValue : read; // nothing read: empty or over-long
            return next;
        }

        var x = Unsafe.ReadUnaligned<ulong>(p) ^ Zeros;
        var nonDigits = ((x + AboveNine) | x) & HighBits;
        if (nonDigits != 0)
        {
            var length = BitOperations.TrailingZeroCount(nonDigits) >> 3;
            value = length == 0 ? ulong.MaxValue : ParseShort(x, length);
            return p + length;
        }

        var y = Unsafe.ReadUnaligned<ulong>(p + 8) ^ Zeros;
        nonDigits = ((y + AboveNine) | y) & HighBits;
        if (nonDigits != 0)
        {
            var length = BitOperations.TrailingZeroCount(nonDigits) >> 3;
            value = ParseEight(x) * PowerOfTen(length) + ParseShort(y, length);
            return p + 8 + length;
        }

        var number = ParseLong(p);
        value = number.Length == 0 ? ulong.MaxValue : number.Value;
        return p + number.Length;
    }

    // Up to 15 digits with one 16-byte vector (x64): the first non-digit from one compare mask, the digits
    // right-aligned by one shuffle (zeros in front), then pairs, fours and eights by three multiply-adds: about 20
    // instructions whatever the length, where the word-at-a-time path takes 30 for a short number and 55 for a
    // timestamp. 16 digits or more go out of line. An empty field gives 0.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* ParseVector(byte* p, out ulong value)
    {
        var x = Vector128.Load(p) ^ Vector128.Create((byte)'0');
        var nonDigits = ((x + Vector128.Create((byte)0x76)) | x).ExtractMostSignificantBits();
        if (nonDigits == 0)
        {
            var number = ParseLong(p);
            value = number.Value;
            return p + number.Length;
        }

        var length = BitOperations.TrailingZeroCount(nonDigits);
        var digits = Ssse3.Shuffle(x, Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(RightAlign), (nuint)(length * 16)));
        var pairs = Ssse3.MultiplyAddAdjacent(digits, Vector128.Create(10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 10, (sbyte)1));
        var fours = Sse2.MultiplyAddAdjacent(pairs, Vector128.Create(100, 1, 100, 1, 100, 1, 100, (short)1));
        var packed = Sse41.PackUnsignedSaturate(fours, fours).AsInt16();
        var eights = Sse2.MultiplyAddAdjacent(packed, Vector128.Create(10_000, 1, 10_000, 1, 10_000, 1, 10_000, (short)1));
        value = (ulong)(uint)eights.ToScalar() * 100_000_000 + (uint)eights.GetElement(1);
        return p + length;
    }

    // RightAlign[16·n ..]: the shuffle that moves n digits to the end of 16 bytes and zeroes the bytes before them.
    private static ReadOnlySpan<byte> RightAlign =>
        [
            0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
            0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00,
            0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x01,
            0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x01, 0x02,
            0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x01, 0x02, 0x03,
            0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x01, 0x02, 0x03, 0x04,
            0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05,
            0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
            0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
            0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09,
            0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A,
            0x80, 0x80, 0x80, 0x80, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B,
            0x80, 0x80, 0x80, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C,
            0x80, 0x80, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D,
            0x80, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E,
        ];

    // 0 to 7 digit values (the bytes of x from the lowest, the first non-digit at `length`) to their number.
    // The digits are shifted to the top of the word: the zeros below act as leading zeros; length 0 gives 0.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ParseShort(ulong x, int length) =>
        length <= 4
            ? ParseFour((uint)((ulong)(uint)x << (32 - 8 * length))) // two multiply steps for the usual short values
            : ParseEight(x << (64 - 8 * length));

    private readonly record struct LongNumber(ulong Value, int Length);

    // Eight digits or more: whole words, then the tail word. Length 0 (and value 0) above long.MaxValue, which no
    // field may exceed (more than 19 digits would also wrap).
    // Out of line and returned in registers (no out parameter: that would put the caller's locals in memory).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static LongNumber ParseLong(byte* p)
    {
        var x = Unsafe.ReadUnaligned<ulong>(p) ^ Zeros;
        var v = ParseEight(x);
        var digits = 8;
        while (true)
        {
            x = Unsafe.ReadUnaligned<ulong>(p + digits) ^ Zeros;
            var nonDigits = ((x + AboveNine) | x) & HighBits;
            if (nonDigits != 0)
            {
                var length = BitOperations.TrailingZeroCount(nonDigits) >> 3;
                v = v * PowerOfTen(length) + ParseShort(x, length);
                digits += length;
                return digits <= 19 && v <= long.MaxValue ? new LongNumber(v, digits) : default; // 19 digits fit in 64 bits
            }

            v = v * 100_000_000 + ParseEight(x);
            digits += 8;
        }
    }

    // Four digit values (0..9), most significant in the lowest byte, to their number.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint ParseFour(uint x)
    {
        x = (x * 10 + (x >> 8)) & 0x00FF00FFu;
        return (x * 100 + (x >> 16)) & 0xFFFFu;
    }

    // Eight digit values (0..9), most significant in the lowest byte, to their number.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ParseEight(ulong x)
    {
        x = (x * 10 + (x >> 8)) & 0x00FF00FF00FF00FFUL;
        x = (x * 100 + (x >> 16)) & 0x0000FFFF0000FFFFUL;
        return (x * 10_000 + (x >> 32)) & 0xFFFFFFFFUL;
    }

    // 10^exponent for exponent 0..7 (the tail of a number after whole eight-digit words).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong PowerOfTen(int exponent) =>
        Unsafe.Add(ref MemoryMarshal.GetReference(PowersOfTen), exponent & 7);

    private static ReadOnlySpan<ulong> PowersOfTen => [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];

    // Any other symbol (p is not passed by ref: that would keep the hot loop's pointer in memory): up to the comma, 1..32 bytes, no control characters. -1 when invalid.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int ParseGeneralSymbol(byte* p, SymbolTable symbols, out int length)
    {
        length = 0;
        while (length <= SymbolTable.MaxLength)
        {
            var b = p[length];
            if (b == ',')
            {
                break;
            }

            if (b is < 0x20 or 0x7F)
            {
                return -1; // also stops at the line's end
            }

            length++;
        }

        if (length is 0 or > SymbolTable.MaxLength)
        {
            return -1;
        }

        return symbols.GetOrAdd(new ReadOnlySpan<byte>(p, length));
    }
}
