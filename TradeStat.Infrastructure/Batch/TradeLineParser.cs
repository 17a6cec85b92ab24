using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TradeStat.Domain.Batch;

namespace TradeStat.Infrastructure.Batch;

/// <summary>
/// The hot loop: parses complete <c>timestamp,symbol,quantity,price\n</c> lines straight from bytes into a
/// <see cref="CsvChunk{TMetrics}"/>. Two lines at a time from one 64-byte vector where the CPU has AVX-512 VBMI2;
/// otherwise numbers are read with 16-byte vectors on x64 (quantity and price with one), eight digits at a time (SWAR)
/// elsewhere; letter symbols (three bytes of 0x40–0x7E) need no lookup, other three-byte symbols index the symbol
/// table directly; nothing is allocated per line.
/// </summary>
/// <remarks>
/// O(bytes). The region must end with '\n' and have <see cref="Padding"/> readable bytes after it. The loop and the
/// number entry points are here; the readers are in TradeLineParser.TwoLines.cs (AVX-512), TradeLineParser.Vector.cs
/// (x64) and TradeLineParser.Scalar.cs.
/// </remarks>
internal static unsafe partial class TradeLineParser
{
    /// <summary>Readable bytes needed after the region (16-byte loads near the last line's end).</summary>
    public const int Padding = 16;

    /// <summary>Parses the lines in [<paramref name="start"/>, <paramref name="end"/>) into <paramref name="chunk"/>, which is empty.</summary>
    public static void Parse<TMetrics>(byte* start, byte* end, CsvChunk<TMetrics> chunk, SymbolTable symbols, bool skipInvalid)
        where TMetrics : struct, ITradeMetric<TMetrics> =>
        Parse(start, end, chunk, symbols, skipInvalid, twoLines: true);

    /// <summary>
    /// As <see cref="Parse{TMetrics}(byte*, byte*, CsvChunk{TMetrics}, SymbolTable, bool)"/>; <paramref name="twoLines"/>
    /// true reads two lines at once where the CPU can (<see cref="TwoLinesSupported"/>), false every line alone (tests
    /// compare the two).
    /// </summary>
    internal static void Parse<TMetrics>(byte* start, byte* end, CsvChunk<TMetrics> chunk, SymbolTable symbols, bool skipInvalid, bool twoLines)
        where TMetrics : struct, ITradeMetric<TMetrics>
    {
        // Letter symbols go to their letter states, where the metrics allow them and until the run's letter keys
        // close; then every symbol goes by id, and the letter states move to id slots first.
        var letters = TradeAggregation<TMetrics>.LettersSupported && !symbols.LetterKeysClosed;
        twoLines &= TwoLinesSupported;
        // The loop keeps only the line count: accepted = lines − rejected, and the first trade (its timestamp and
        // line go to the ordered merge) is the line after the leading invalid ones, read again once at the end.
        // What only the invalid-line path needs lives in the chunk, leaving the registers to the hot loop.
        chunk.SkipInvalid = skipInvalid;
        chunk.FirstTradeStart = (nint)start;
        chunk.FirstTradeLine = 1;
        var trades = chunk.Trades;
        if (letters)
        {
            trades.UseLetters(symbols);
        }
        else if (trades.HasLetters)
        {
            trades.MoveLettersToIds(symbols);
        }

        var last = chunk.LastTimestamp;
        var lines = 0L;
        var p = start;
        while (p < end)
        {
            // Two lines at once (almost every pair of a typical input, on a CPU with AVX-512 VBMI2); an unusual
            // line, a decreasing timestamp or the region's last bytes go line by line below.
            if (twoLines && end - p >= TwoLinesWindow - Padding &&
                TryParseTwo(p, out var timestamps, out var numbers, out var firstWord, out var secondWord, out var length))
            {
                var first = (long)timestamps.ToScalar();
                var second = (long)timestamps.GetElement(4);
                // (The second line cannot end past the region while the window leaves 48 bytes, a two-line pair's first
                // line being at most 39; the test keeps it so should Padding shrink.)
                if (first >= last && second >= first && length <= end - p)
                {
                    if (letters)
                    {
                        if (SymbolTable.AreLetters(firstWord, secondWord))
                        {
                            trades.ObserveLetters(firstWord & 0xFFFFFF, new Trade(first, numbers.GetElement(4), numbers.GetElement(5)));
                            trades.ObserveLetters(secondWord & 0xFFFFFF, new Trade(second, numbers.GetElement(12), numbers.GetElement(13)));
                            lines += 2;
                            last = second;
                            p += length;
                            continue;
                        }
                    }
                    else
                    {
                        // Letter states off (the run's keys closed, or metrics with references): known three-byte
                        // symbols by id.
                        var firstId = symbols.FindThreeByte((int)(firstWord & 0xFFFFFF));
                        var secondId = symbols.FindThreeByte((int)(secondWord & 0xFFFFFF));
                        if ((firstId | secondId) >= 0)
                        {
                            trades.ObserveSoon(firstId, new Trade(first, numbers.GetElement(4), numbers.GetElement(5)));
                            trades.ObserveSoon(secondId, new Trade(second, numbers.GetElement(12), numbers.GetElement(13)));
                            lines += 2;
                            last = second;
                            p += length;
                            continue;
                        }
                    }
                }
            }

            var line = p;
            p = ParseTimestamp(p, out var timestamp);
            // last ≥ 0, so this also rejects timestamps above long.MaxValue (and empty ones, see ParseTimestamp).
            if (*p != ',' || (long)timestamp < last)
            {
                goto Invalid;
            }

            p++;
            int id;
            uint letterSymbol = 0;
            // A letter symbol and its comma: one load and a few register operations, no lookup (its state is found
            // from its bytes). A known other three-byte symbol: one table lookup. Unknown or invalid ones take the
            // general path, which validates and adds.
            var word = Unsafe.ReadUnaligned<uint>(p);
            if (letters && SymbolTable.IsLetters(word))
            {
                letterSymbol = word & 0xFFFFFF;
                id = 0;
                p += 4;
            }
            else if ((word >> 24) == ',' && (id = symbols.FindThreeByte((int)(word & 0xFFFFFF))) >= 0)
            {
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

            ulong quantity, price;
            if (Sse41.IsSupported && TryParsePair(ref p, out quantity, out price))
            {
                // Both numbers of up to eight digits from one vector (almost every line).
            }
            else
            {
                // 1 ≤ quantity, price ≤ long.MaxValue: ParseNumber gives 0 for an empty field and above long.MaxValue.
                p = ParseNumber(p, out quantity);
                if (*p != ',')
                {
                    goto Invalid;
                }

                p = ParseNumber(p + 1, out price);
            }

            if (quantity == 0 || price == 0)
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
            if (letterSymbol != 0)
            {
                trades.ObserveLetters(letterSymbol, new Trade((long)timestamp, (long)quantity, (long)price));
            }
            else
            {
                trades.ObserveSoon(id, new Trade((long)timestamp, (long)quantity, (long)price));
            }

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

        trades.ApplyPending();
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

    // Quantities and prices: up to 15 digits by vector (x64) or 7 from one word, longer ones out of line. An empty
    // field or a value above long.MaxValue gives 0, which the caller rejects. Returns the pointer to the first
    // non-digit (still on a digit when the value was too large).
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

    // Timestamps (microseconds since midnight: 11 digits from 02:46:40 on): one vector (x64), or two words inline,
    // eight digits then up to seven more. An empty or too large timestamp reads as ulong.MaxValue, which is
    // negative as a long and so fails the caller's "not before the previous timestamp" test (no separate test).
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

    // Any other symbol (p is not passed by ref: that would keep the hot loop's pointer in memory): up to the comma,
    // 1 to SymbolTable.MaxLength bytes, no control characters. -1 when invalid.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int ParseGeneralSymbol(byte* p, SymbolTable symbols, out int length)
    {
        // Up to eight bytes before the comma (one load, the comma found by the zero-byte trick on the word XOR
        // commas): a known one is found by its bytes as a number, unvalidated, as three-byte symbols are (only
        // valid symbols are added, so a hit is valid).
        var word = Unsafe.ReadUnaligned<ulong>(p);
        var commas = word ^ 0x2C2C2C2C2C2C2C2CUL;
        var zeros = (commas - 0x0101010101010101UL) & ~commas & HighBits; // exact up to the first comma
        length = zeros != 0 ? BitOperations.TrailingZeroCount(zeros) >> 3 : p[8] == ',' ? 8 : 0;
        if (length is not (0 or 3))
        {
            var key = length == 8 ? word : word & ((1UL << (8 * length)) - 1);
            var known = symbols.FindShort(key);
            if (known >= 0)
            {
                return known;
            }
        }

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
