using System.Runtime.CompilerServices;

namespace TradeStat.Infrastructure.Series;

/// <summary>
/// O(1) merge; 40 bytes.
/// Count, mean and M2 (Welford's centred second moment Σ(x − mean)²) of a set of doubles: the mean in
/// double-double, M2 as a double times 2^Scale, so that huge values (|x| up to double.MaxValue) whose squares
/// overflow a double still give every variance that a double can hold. Two sets combine with Chan's formula,
/// whose M2 terms are all non-negative: merging never cancels, so a window built from merged parts is as
/// accurate as its parts (each merge adds at most ~2 ulps of relative error to M2).
/// </summary>
internal readonly struct Moments(long count, DoubleDouble mean, double m2, int scale = 0)
{
    /// <summary>Squares are taken of values scaled below 2^450, far from overflow (2^1024).</summary>
    private const int SafeExponent = 450;

    public readonly long Count = count;
    public readonly DoubleDouble Mean = mean;

    /// <summary>M2 / 2^<see cref="Scale"/>.</summary>
    public readonly double M2 = m2;

    public readonly int Scale = scale;

    public static Moments Empty => default;

    /// <summary>Population variance M2 / n, never negative; +∞ when it exceeds double.MaxValue.</summary>
    public double Variance
    {
        get
        {
            var v = Scale == 0 ? M2 / Count : Math.ScaleB(M2 / Count, Scale);
            return double.IsNaN(v) ? double.PositiveInfinity : Math.Max(v, 0.0);
        }
    }

    /// <summary>The moments of the union of two disjoint sets (Chan, Golub and LeVeque).</summary>
    public static Moments Merge(in Moments a, in Moments b)
    {
        if (a.Count == 0)
        {
            return b;
        }

        if (b.Count == 0)
        {
            return a;
        }

        var n = (double)(a.Count + b.Count);
        var na = (double)a.Count;
        var nb = (double)b.Count;

        // mean = meanA + δ·(nb/n) in double-double, with δ = meanB − meanA and the weight nb/n exact to ~2^-106:
        // one division pair instead of two, and a mean near zero from cancelling parts keeps its accuracy
        // (every term is at most twice the largest |value|, so its rounding is ~2^-103 of that).
        var deltaDd = b.Mean - a.Mean;
        var q = nb / n;
        var weight = new DoubleDouble(q, Math.FusedMultiplyAdd(-q, n, nb) / n);
        var mean = double.IsFinite(deltaDd.Hi)
            ? a.Mean + (deltaDd * weight)
            : WeightedMean(a.Mean, b.Mean, weight); // means near ±double.MaxValue: δ overflowed

        // The between-sets term δ²·na·nb/n, with δ scaled below 2^450 first when it is huge.
        var delta = deltaDd.Value;
        var deltaScale = ScaleFor(delta);
        var scaledDelta = deltaScale == 0 ? delta : Math.ScaleB(delta, -deltaScale);
        var between = scaledDelta * scaledDelta * (na * q);

        if ((a.Scale | b.Scale | deltaScale) == 0)
        {
            return new Moments(a.Count + b.Count, mean, a.M2 + b.M2 + between);
        }

        // Sum the three non-negative terms at the largest scale (power-of-two rescaling is exact).
        var scale = Math.Max(Math.Max(a.Scale, b.Scale), 2 * deltaScale);
        var m2 = Math.ScaleB(a.M2, a.Scale - scale) + Math.ScaleB(b.M2, b.Scale - scale) + Math.ScaleB(between, (2 * deltaScale) - scale);
        return new Moments(a.Count + b.Count, mean, m2, scale);
    }

    /// <summary>meanA·wa + meanB·wb: no intermediate exceeds the larger mean (weights below 1).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static DoubleDouble WeightedMean(DoubleDouble meanA, DoubleDouble meanB, DoubleDouble wb) =>
        (meanA * (new DoubleDouble(1, 0) - wb)) + (meanB * wb);

    /// <summary>The power of two to divide <paramref name="x"/> by so that its square cannot overflow (0 for ordinary values).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ScaleFor(double x)
    {
        // The unbiased binary exponent from the bits (Math.ILogB is a call); NaN and ±∞ (field 2047) give 0.
        var field = (int)((BitConverter.DoubleToInt64Bits(x) >> 52) & 0x7FF);
        var exponent = field - 1023;
        return exponent > SafeExponent && field != 0x7FF ? exponent - SafeExponent : 0;
    }
}
