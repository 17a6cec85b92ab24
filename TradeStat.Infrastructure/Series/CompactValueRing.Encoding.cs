using System.Runtime.Intrinsics;

namespace TradeStat.Infrastructure.Series;

// The encoding of a sub-block as m / 10^d: a vector path (Vector256) and a scalar one that give the same bits.
internal sealed partial class CompactValueRing
{
    /// <summary>Largest d tried: with d = 9, |value| must stay below 2.147, the range of m / 10^9.</summary>
    public const int MaxDecimals = 9;

    private static readonly double[] PowersOfTen = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

    /// <summary>2^52 + 2^51: adding it to a double holding an integer of magnitude below 2^51 puts that integer in the
    /// low bits of the sum (and subtracting it again gives the integer back, as a double, with -0.0 made +0.0).</summary>
    private const double Magic = 6755399441055744.0;
    private const long MagicBits = 0x4338000000000000;

    /// <summary>Writes m = round(x · 10^d) for each x when every m is a 32-bit integer with m / 10^d == x bit for bit.</summary>
    internal static bool TryEncode(ReadOnlySpan<double> values, int decimals, Span<int> scaled)
    {
        var power = PowersOfTen[decimals];
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var powers = Vector256.Create(power);
            var limit = Vector256.Create((double)int.MaxValue);
            var magic = Vector256.Create(Magic);
            var magicBits = Vector256.Create(MagicBits);
            for (; i + 8 <= values.Length; i += 8)
            {
                var x0 = Vector256.Create(values.Slice(i, 4));
                var x1 = Vector256.Create(values.Slice(i + 4, 4));
                var r0 = Vector256.Round(x0 * powers);
                var r1 = Vector256.Round(x1 * powers);

                // In range (|m| ≤ int.MaxValue; NaN fails the comparison), and m, as a double again (-0.0 becomes
                // +0.0), divided by 10^d gives the same bits. The integer conversions go through Magic: plain adds,
                // fast on every vector unit (AVX2 has no double <-> int64 conversion).
                var shifted0 = r0 + magic;
                var shifted1 = r1 + magic;
                var ok = Vector256.LessThanOrEqual(Vector256.Abs(r0), limit).AsUInt64()
                    & Vector256.LessThanOrEqual(Vector256.Abs(r1), limit).AsUInt64()
                    & Vector256.Equals(((shifted0 - magic) / powers).AsUInt64(), x0.AsUInt64())
                    & Vector256.Equals(((shifted1 - magic) / powers).AsUInt64(), x1.AsUInt64());
                if (ok != Vector256<ulong>.AllBitsSet)
                {
                    return false;
                }

                Vector256.Narrow(shifted0.AsInt64() - magicBits, shifted1.AsInt64() - magicBits).CopyTo(scaled.Slice(i, 8));
            }
        }

        for (; i < values.Length; i++)
        {
            var x = values[i];
            var m = Math.Round(x * power);
            if (!(Math.Abs(m) <= int.MaxValue))
            {
                return false;
            }

            var integer = (int)m;
            if (BitConverter.DoubleToInt64Bits(integer / power) != BitConverter.DoubleToInt64Bits(x))
            {
                return false;
            }

            scaled[i] = integer;
        }

        return true;
    }

    /// <summary>x = m / 10^d for each m: the inverse of <see cref="TryEncode(ReadOnlySpan{double}, int, Span{int})"/>.</summary>
    internal static void Decode(ReadOnlySpan<int> scaled, int decimals, Span<double> values)
    {
        var power = PowersOfTen[decimals];
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var powers = Vector256.Create(power);
            var magic = Vector256.Create(Magic);
            var magicBits = Vector256.Create(MagicBits);
            for (; i + 8 <= scaled.Length; i += 8)
            {
                var (low, high) = Vector256.Widen(Vector256.Create(scaled.Slice(i, 8)));
                (((low + magicBits).AsDouble() - magic) / powers).CopyTo(values.Slice(i, 4));
                (((high + magicBits).AsDouble() - magic) / powers).CopyTo(values.Slice(i + 4, 4));
            }
        }

        for (; i < scaled.Length; i++)
        {
            values[i] = scaled[i] / power;
        }
    }
}
