using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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

    /// <summary>Parses the lines in [<paramref name="start"/>, <paramref name="end"/>) into <paramref name="chunk"/>.</summary>
    public static void Parse<TMetrics>(byte* start, byte* end, CsvChunk<TMetrics> chunk, SymbolTable symbols, bool skipInvalid)
        where TMetrics : struct, ITradeMetric<TMetrics>
    {
        var trades = chunk.Trades;
        var last = chunk.LastTimestamp;
        var lines = chunk.Lines;
        var accepted = chunk.Accepted;
        var p = start;
        while (p < end)
        {
            var line = p;
            if (!TryParseNumber(ref p, out var timestamp) || *p != ',')
            {
                goto Invalid;
            }

            p++;
            int id;
            var word = Unsafe.ReadUnaligned<uint>(p);
            uint d0 = SymbolTable.DirectDigit(word), d1 = SymbolTable.DirectDigit(word >> 8), d2 = SymbolTable.DirectDigit(word >> 16);
            if ((word >> 24) == ',' && ((d0 | d1 | d2) & 0x80) == 0)
            {
                id = symbols.GetOrAddDirect(SymbolTable.DirectIndexOfDigits(d0, d1, d2));
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

            // 1 ≤ quantity, price ≤ long.MaxValue: one unsigned compare each.
            if (!TryParseNumber(ref p, out var quantity) || *p != ',' || quantity - 1 >= long.MaxValue)
            {
                goto Invalid;
            }

            p++;
            if (!TryParseNumber(ref p, out var price) || price - 1 >= long.MaxValue)
            {
                goto Invalid;
            }

            if (*p == '\r')
            {
                p++;
            }

            // last ≥ 0, so this also rejects timestamps above long.MaxValue.
            if (*p != '\n' || (long)timestamp < last)
            {
                goto Invalid;
            }

            p++;
            lines++;
            if (accepted++ == 0)
            {
                chunk.FirstTimestamp = (long)timestamp;
                chunk.FirstTimestampLine = lines;
            }

            last = (long)timestamp;
            trades.Observe(id, new Trade((long)timestamp, (long)quantity, (long)price));
            continue;

        Invalid:
            lines++;
            var lineEnd = line;
            while (*lineEnd != '\n')
            {
                lineEnd++;
            }

            chunk.Lines = lines;
            var reason = chunk.FirstInvalidReason is null
                ? LineDiagnosis.Explain(new ReadOnlySpan<byte>(line, (int)(lineEnd - line)), last)
                : null;
            if (!chunk.Reject(reason, skipInvalid))
            {
                break;
            }

            p = lineEnd + 1;
        }

        chunk.Lines = lines;
        chunk.Accepted = accepted;
        chunk.LastTimestamp = last;
    }

    /// <summary>Reads 1 to 19 ASCII digits at <paramref name="p"/>, leaving it on the first non-digit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TryParseNumber(ref byte* p, out ulong value)
    {
        var x = Unsafe.ReadUnaligned<ulong>(p) ^ Zeros;
        var nonDigits = ((x + AboveNine) | x) & HighBits;
        if (nonDigits != 0)
        {
            var length = BitOperations.TrailingZeroCount(nonDigits) >> 3;
            p += length;
            // Shift the digits to the top bytes: the zeros below act as leading zeros (length 0 is rejected).
            // Quantities and prices are mostly up to four digits: two multiply steps instead of three.
            value = length <= 4 ? ParseFour((uint)x << (32 - 8 * length)) : ParseEight(x << (64 - 8 * length));
            return length != 0;
        }

        return TryParseLong(ref p, x, out value);
    }

    // Eight digits or more (timestamps): whole words, then the tail word.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryParseLong(ref byte* p, ulong x, out ulong value)
    {
        var v = ParseEight(x);
        p += 8;
        var digits = 8;
        while (true)
        {
            x = Unsafe.ReadUnaligned<ulong>(p) ^ Zeros;
            var nonDigits = ((x + AboveNine) | x) & HighBits;
            if (nonDigits != 0)
            {
                var length = BitOperations.TrailingZeroCount(nonDigits) >> 3;
                if (length != 0)
                {
                    v = v * PowerOfTen(length)
                        + (length <= 4 ? ParseFour((uint)x << (32 - 8 * length)) : ParseEight(x << (64 - 8 * length)));
                    p += length;
                    digits += length;
                }

                value = v;
                return digits <= 19; // 19 digits fit in 64 bits; more wrapped and are rejected here
            }

            v = v * 100_000_000 + ParseEight(x);
            p += 8;
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
