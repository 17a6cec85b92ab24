using System.Globalization;
using System.Runtime.CompilerServices;

namespace TradeStat.Api.Formatting;

/// <summary>
/// Reads one JSON number (RFC 8259 grammar, strictly) from UTF-8 bytes into the double that
/// <see cref="double.Parse(ReadOnlySpan{byte}, NumberStyles, IFormatProvider)"/> gives, bit for bit.
/// Fast path (Clinger): at most 19 significant digits whose integer fits in 2^53 and a decimal exponent within
/// ±22 convert with one exact multiplication or division, which IEEE rounds correctly; everything else goes to
/// <c>double.Parse</c>. O(length), no allocation.
/// </summary>
public static class JsonNumber
{
    private static readonly double[] PowersOf10 =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>Result of <see cref="TryRead"/>.</summary>
    public enum Status
    {
        /// <summary>A finite number was read.</summary>
        Ok,

        /// <summary>The bytes are not a JSON number.</summary>
        Malformed,

        /// <summary>A JSON number beyond the range of a double (it would read as ±infinity).</summary>
        OutOfRange,
    }

    /// <summary>Reads the number starting at <paramref name="text"/>[0].</summary>
    /// <param name="text">Bytes starting with the number; whatever follows it is left alone.</param>
    /// <param name="value">The number.</param>
    /// <param name="length">Bytes the number takes.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Status TryRead(ReadOnlySpan<byte> text, out double value, out int length)
    {
        value = 0;
        var i = 0;
        var negative = false;
        if (i < text.Length && text[i] == '-')
        {
            negative = true;
            i++;
        }

        // Integer part: 0 | [1-9][0-9]*. Digits go into the mantissa unconditionally; a number with more than 19
        // digits in all (where the mantissa may wrap) is left to double.Parse below, so the loops need no
        // per-digit bookkeeping.
        ulong mantissa = 0;
        var exponent = 0;
        var first = i;
        uint d;
        if (i >= text.Length || (d = (uint)(text[i] - '0')) > 9)
        {
            length = i;
            return Status.Malformed;
        }

        if (d == 0)
        {
            i++;
        }
        else
        {
            do
            {
                mantissa = (mantissa * 10) + d;
                i++;
            }
            while ((uint)i < (uint)text.Length && (d = (uint)(text[i] - '0')) <= 9);
        }

        var digits = i - first;

        // Fraction: '.' [0-9]+
        if ((uint)i < (uint)text.Length && text[i] == '.')
        {
            var start = ++i;
            while ((uint)i < (uint)text.Length && (d = (uint)(text[i] - '0')) <= 9)
            {
                mantissa = (mantissa * 10) + d;
                i++;
            }

            if (i == start)
            {
                length = i;
                return Status.Malformed;
            }

            exponent = start - i;
            digits += i - start;
        }

        // Exponent: [eE] [+-]? [0-9]+
        if (i < text.Length && (text[i] | 0x20) == 'e')
        {
            i++;
            var expNegative = false;
            if (i < text.Length && (text[i] == '+' || text[i] == '-'))
            {
                expNegative = text[i] == '-';
                i++;
            }

            var start = i;
            var e = 0;
            for (; i < text.Length && IsDigit(text[i]); i++)
            {
                e = Math.Min((e * 10) + (text[i] - '0'), 100_000); // saturate: far beyond any double
            }

            if (i == start)
            {
                length = i;
                return Status.Malformed;
            }

            exponent += expNegative ? -e : e;
        }

        length = i;
        if (digits > 19)
        {
            // The mantissa may have wrapped: only the full conversion can read this (rare: long literals).
            return ParseFully(text[..length], out value);
        }

        if (mantissa == 0)
        {
            value = negative ? -0.0 : 0.0;
            return Status.Ok;
        }

        if (mantissa <= (1UL << 53) && exponent is >= -22 and <= 22)
        {
            double m = mantissa;
            value = exponent < 0 ? m / PowersOf10[-exponent] : m * PowersOf10[exponent];
            value = negative ? -value : value;
            return Status.Ok;
        }

        return ParseFully(text[..length], out value);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Status ParseFully(ReadOnlySpan<byte> number, out double value)
    {
        value = double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture);
        return double.IsFinite(value) ? Status.Ok : Status.OutOfRange;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;
}
