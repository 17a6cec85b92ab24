using System.Buffers.Text;

namespace TradeStat.Domain.Feed;

/// <summary>
/// Exact decimal prices as integers at a fixed scale of 10^8 (Binance quotes at most 8 decimals):
/// <c>"61666.19000000"</c> is 6_166_619_000_000 units. Parsing never goes through binary floating point.
/// </summary>
public static class ScaledPrice
{
    /// <summary>Decimal places kept: one unit is 10^-8.</summary>
    public const int Scale = 8;

    /// <summary>Units per 1.0.</summary>
    public const long UnitsPerOne = 100_000_000;

    /// <summary>
    /// Largest accepted price in units (≈ 4.6e10 in price): half of <see cref="long.MaxValue"/>, so the sum of the two
    /// middle prices of a median never overflows.
    /// </summary>
    public const long MaxUnits = long.MaxValue / 2;

    /// <summary>Why a price string was refused.</summary>
    public enum ParseError
    {
        /// <summary>Parsed.</summary>
        None,

        /// <summary>Empty, a sign, an exponent, or anything but digits and one '.'.</summary>
        Syntax,

        /// <summary>A non-zero digit after the 8th decimal: it cannot be kept exactly.</summary>
        TooManyDecimals,

        /// <summary>Larger than <see cref="MaxUnits"/>.</summary>
        Overflow,
    }

    /// <summary>Parses <c>digits[.digits]</c> from UTF-8 into units; trailing zeros beyond 8 decimals are accepted.</summary>
    public static ParseError TryParse(ReadOnlySpan<byte> utf8, out long units)
    {
        units = 0;
        if (utf8.IsEmpty)
        {
            return ParseError.Syntax;
        }

        ulong value = 0;
        var i = 0;
        var intDigits = 0;
        for (; i < utf8.Length; i++)
        {
            var d = (uint)(utf8[i] - '0');
            if (d > 9)
            {
                break;
            }

            // 10^19 > MaxUnits: stop early once the integer part alone is too large.
            if (value > (ulong)(MaxUnits / UnitsPerOne))
            {
                return ParseError.Overflow;
            }

            value = (value * 10) + d;
            intDigits++;
        }

        // The integer part times 10^8 must fit: checked here, before scaling, so the ulong can never wrap
        // (12 integer digits × 10^8 would exceed 2^64 and come back as a small, wrong price).
        if (value > (ulong)(MaxUnits / UnitsPerOne))
        {
            return ParseError.Overflow;
        }

        var fracDigits = 0;
        if (i < utf8.Length)
        {
            if (utf8[i] != '.')
            {
                return ParseError.Syntax;
            }

            i++;
            for (; i < utf8.Length; i++)
            {
                var d = (uint)(utf8[i] - '0');
                if (d > 9)
                {
                    return ParseError.Syntax;
                }

                if (fracDigits < Scale)
                {
                    value = (value * 10) + d;
                    fracDigits++;
                }
                else if (d != 0)
                {
                    return ParseError.TooManyDecimals;
                }
                else
                {
                    fracDigits++;
                }
            }

            if (fracDigits == 0 && intDigits == 0)
            {
                return ParseError.Syntax;
            }
        }
        else if (intDigits == 0)
        {
            return ParseError.Syntax;
        }

        for (var k = Math.Min(fracDigits, Scale); k < Scale; k++)
        {
            value *= 10;
        }

        if (value > MaxUnits)
        {
            return ParseError.Overflow;
        }

        units = (long)value;
        return ParseError.None;
    }

    /// <summary>Parses a string (tests and tools; the feed parses bytes).</summary>
    public static long Parse(string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        var error = TryParse(bytes, out var units);
        return error == ParseError.None ? units : throw new FormatException($"'{text}' is not a price ({error}).");
    }

    /// <summary>
    /// Writes <paramref name="halfUnits"/>/2 units as the shortest exact decimal (no exponent, no trailing zeros):
    /// an odd value ends in ...5 at the 9th decimal. Returns the number of bytes written (at most 32).
    /// </summary>
    public static int FormatHalfUnits(long halfUnits, Span<byte> destination)
    {
        var units = halfUnits >> 1;
        var half = (halfUnits & 1) != 0;
        var integer = units / UnitsPerOne;
        var fraction = units % UnitsPerOne;
        Utf8Formatter.TryFormat(integer, destination, out var written);
        if (fraction == 0 && !half)
        {
            return written;
        }

        destination[written++] = (byte)'.';
        Span<byte> digits = stackalloc byte[Scale + 1];
        for (var k = Scale - 1; k >= 0; k--)
        {
            digits[k] = (byte)('0' + (fraction % 10));
            fraction /= 10;
        }

        var length = Scale;
        if (half)
        {
            digits[Scale] = (byte)'5';
            length = Scale + 1;
        }
        else
        {
            while (digits[length - 1] == '0')
            {
                length--;
            }
        }

        digits[..length].CopyTo(destination[written..]);
        return written + length;
    }

    /// <summary>Units as the shortest exact decimal string.</summary>
    public static string Format(long units) => FormatHalf(units * 2);

    /// <summary>Half-units as the shortest exact decimal string.</summary>
    public static string FormatHalf(long halfUnits)
    {
        Span<byte> buffer = stackalloc byte[40];
        var n = FormatHalfUnits(halfUnits, buffer);
        return System.Text.Encoding.ASCII.GetString(buffer[..n]);
    }

    /// <summary>Half-units as an exact <see cref="decimal"/>.</summary>
    public static decimal ToDecimal(long halfUnits) => halfUnits / (2m * UnitsPerOne);
}
