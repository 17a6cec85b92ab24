using System.Numerics;

namespace TradeStat.Tests.Support;

/// <summary>
/// Exact mean and population variance of doubles in rational arithmetic (BigInteger over a power of two),
/// the reference that the engine's avg and var are held to.
/// </summary>
public static class ExactStats
{
    // Every finite double is an integer multiple of 2^-1074.
    private const int Scale = 1074;

    /// <summary>Exact (mean, variance) of <paramref name="values"/>, each rounded once to the nearest double.</summary>
    public static (double Mean, double Variance) Compute(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            throw new ArgumentException("No values.", nameof(values));
        }

        BigInteger s1 = BigInteger.Zero, s2 = BigInteger.Zero;
        foreach (var v in values)
        {
            var m = ToScaledInteger(v);
            s1 += m;
            s2 += m * m;
        }

        return FromSums(values.Length, s1, s2);
    }

    /// <summary>Exact (mean, variance) from the count and the sums of scaled values and of their squares.</summary>
    public static (double Mean, double Variance) FromSums(long count, BigInteger s1, BigInteger s2)
    {
        var n = new BigInteger(count);

        // mean = s1 / (n * 2^Scale); var = (n*s2 - s1^2) / (n^2 * 2^(2*Scale))
        var mean = Divide(s1, n << Scale);
        var variance = Divide((n * s2) - (s1 * s1), (n * n) << (2 * Scale));
        return (mean, variance);
    }

    /// <summary>Asserts engine statistics against the exact ones within the contract's tolerances.</summary>
    public static void ShouldMatch(this TradeStat.Domain.Series.SeriesStats actual, TradeStat.Domain.Series.SeriesStats expected, string because = "")
    {
        actual.Count.Should().Be(expected.Count, because);
        BitConverter.DoubleToInt64Bits(actual.Min).Should().Be(BitConverter.DoubleToInt64Bits(expected.Min), $"min {actual.Min:R} vs {expected.Min:R} {because}");
        BitConverter.DoubleToInt64Bits(actual.Max).Should().Be(BitConverter.DoubleToInt64Bits(expected.Max), $"max {actual.Max:R} vs {expected.Max:R} {because}");
        BitConverter.DoubleToInt64Bits(actual.Last).Should().Be(BitConverter.DoubleToInt64Bits(expected.Last), $"last {because}");
        RelativeError(actual.Avg, expected.Avg).Should().BeLessThanOrEqualTo(1e-12, $"avg {actual.Avg:R} vs exact {expected.Avg:R} {because}");
        actual.Var.Should().BeGreaterThanOrEqualTo(0, because);
        if (expected.Var == 0)
        {
            actual.Var.Should().Be(0, $"a window of identical values has variance exactly 0 {because}");
        }
        else
        {
            RelativeError(actual.Var, expected.Var).Should().BeLessThanOrEqualTo(1e-9, $"var {actual.Var:R} vs exact {expected.Var:R} {because}");
        }
    }

    /// <summary>|actual − expected| / |expected| (absolute error when expected is 0).</summary>
    public static double RelativeError(double actual, double expected) =>
        expected == 0 ? Math.Abs(actual) : Math.Abs((actual - expected) / expected);

    /// <summary>The double as an exact integer multiple of 2^-1074.</summary>
    public static BigInteger ToScaledInteger(double v)
    {
        var bits = BitConverter.DoubleToInt64Bits(v);
        var negative = bits < 0;
        var exponent = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0)
        {
            exponent = 1; // subnormal
        }
        else
        {
            mantissa |= 1L << 52;
        }

        // v = mantissa * 2^(exponent - 1075) = mantissa * 2^(exponent - 1) * 2^-1074
        var scaled = new BigInteger(mantissa) << (exponent - 1);
        return negative ? -scaled : scaled;
    }

    /// <summary>num/den rounded to a double with ample precision (64 significant bits before rounding).</summary>
    private static double Divide(BigInteger num, BigInteger den)
    {
        if (num.IsZero)
        {
            return 0.0;
        }

        var negative = num.Sign < 0;
        num = BigInteger.Abs(num);
        var shift = (int)(den.GetBitLength() - num.GetBitLength()) + 64;
        var q = shift >= 0 ? (num << shift) / den : num / (den << -shift);
        var result = Math.ScaleB((double)q, -shift);
        return negative ? -result : result;
    }
}
