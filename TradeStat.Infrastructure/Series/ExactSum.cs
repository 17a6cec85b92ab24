using System.Numerics;
using System.Runtime.CompilerServices;

namespace TradeStat.Infrastructure.Series;

/// <summary>
/// O(1) per value added or removed (three limb updates), O(limbs) per read; 544 bytes.
/// The exact sum of any number of finite doubles (a Kulisch-style long accumulator): every double is an integer
/// multiple of 2^-1074 below 2^1024, so sums are kept as a fixed-point integer in 32-bit digits held in 64-bit
/// limbs, which leaves room to add or subtract 2^30 values before carries must be propagated. Adding and
/// subtracting are exact, so a rolling sum kept this way never drifts.
/// </summary>
internal sealed class ExactSum
{
    // Bit 0 of digit 0 weighs 2^-1074. The largest double (mantissa < 2^53 at bit 2045) reaches bit 2098,
    // sums of up to 2^31 of them bit 2129: 67 digits, plus one so that carries always have somewhere to go.
    private const int Digits = 68;
    private const int DigitBits = 32;
    private const long DigitMask = 0xFFFF_FFFFL;

    private readonly long[] _digits = new long[Digits];
    private readonly int _opsBeforeCarry;
    private int _opsSinceCarry;

    /// <param name="opsBeforeCarry">Values added between carry passes: at most 2^30 (the default) so that no
    /// digit can overflow; tests set it low to exercise the carries.</param>
    public ExactSum(int opsBeforeCarry = 1 << 30)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(opsBeforeCarry, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(opsBeforeCarry, 1 << 30);
        _opsBeforeCarry = opsBeforeCarry;
    }

    public void Clear()
    {
        Array.Clear(_digits);
        _opsSinceCarry = 0;
    }

    public void Add(ReadOnlySpan<double> values) => Accumulate(values, negate: false);

    public void Subtract(ReadOnlySpan<double> values) => Accumulate(values, negate: true);

    /// <summary>The sum divided by <paramref name="count"/>, correctly rounded to a double (half to even).</summary>
    public double DivideBy(long count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var sum = ToScaledInteger();
        if (sum.IsZero)
        {
            return 0.0;
        }

        var negative = sum.Sign < 0;
        sum = BigInteger.Abs(sum);

        // In units of 2^-1074 the quotient below 2^52 is a subnormal (or the smallest normals): round it there,
        // once, half to even, and it converts exactly.
        var units = BigInteger.DivRem(sum, count, out var remainder);
        if (units < (BigInteger.One << 52))
        {
            var twice = remainder << 1;
            if (twice > count || (twice == count && !units.IsEven))
            {
                units += 1;
            }

            var tiny = Math.ScaleB((double)(ulong)units, -1074);
            return negative ? -tiny : tiny;
        }

        // Normal range: a quotient of at least 64 significant bits, its top 64 bits with a sticky bit for everything
        // below them (the division's remainder included), converted once: the ulong → double conversion rounds
        // half to even, and the sticky bit decides every tie correctly.
        var shift = (int)Math.Max(0, 66 + BigInteger.Log(count, 2) - sum.GetBitLength());
        var q = BigInteger.DivRem(sum << shift, count, out var rest);
        var drop = (int)Math.Max(0, q.GetBitLength() - 64);
        var top = (ulong)(q >> drop);
        if (!rest.IsZero || (drop > 0 && !(q & ((BigInteger.One << drop) - 1)).IsZero))
        {
            top |= 1;
        }

        var result = Math.ScaleB((double)top, drop - shift - 1074);
        return negative ? -result : result;
    }

    /// <summary>The sum as an exact integer multiple of 2^-1074.</summary>
    public BigInteger ToScaledInteger()
    {
        var result = BigInteger.Zero;
        for (var i = Digits - 1; i >= 0; i--)
        {
            result = (result << DigitBits) + _digits[i];
        }

        return result;
    }

    private void Accumulate(ReadOnlySpan<double> values, bool negate)
    {
        var digits = _digits.AsSpan();
        foreach (var value in values)
        {
            if (_opsSinceCarry == _opsBeforeCarry)
            {
                PropagateCarries();
            }

            _opsSinceCarry++;
            var bits = BitConverter.DoubleToInt64Bits(value);
            var biased = (int)((bits >> 52) & 0x7FF);
            var mantissa = bits & 0xF_FFFF_FFFF_FFFFL;
            int position; // of the mantissa's lowest bit, counted from 2^-1074
            if (biased == 0)
            {
                position = 0; // subnormal (or zero): mantissa · 2^-1074
            }
            else
            {
                mantissa |= 1L << 52;
                position = biased - 1; // mantissa · 2^(biased − 1075)
            }

            var index = position >> 5;
            var offset = position & 31;

            // The mantissa shifted by offset spans at most 85 bits: three 32-bit digits.
            var d0 = (mantissa << offset) & DigitMask;
            var d1 = (mantissa >> (DigitBits - offset)) & DigitMask;
            var d2 = (mantissa >> DigitBits) >> (DigitBits - offset);
            if ((bits < 0) != negate)
            {
                d0 = -d0;
                d1 = -d1;
                d2 = -d2;
            }

            Add3(digits, index, d0, d1, d2);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add3(Span<long> digits, int index, long d0, long d1, long d2)
    {
        digits[index] += d0;
        digits[index + 1] += d1;
        digits[index + 2] += d2;
    }

    /// <summary>Brings every digit but the top one back into [0, 2^32); the value is unchanged.</summary>
    private void PropagateCarries()
    {
        for (var i = 0; i < Digits - 1; i++)
        {
            var carry = _digits[i] >> DigitBits;
            _digits[i] -= carry << DigitBits;
            _digits[i + 1] += carry;
        }

        _opsSinceCarry = 0;
    }
}
