using System.Runtime.CompilerServices;

namespace TradeStat.Infrastructure.Series;

/// <summary>
/// Count, mean and M2 (Welford's centred second moment Σ(x − mean)²) of a set of doubles: the mean in
/// double-double, M2 as a double times 2^Scale, so that huge values (|x| up to double.MaxValue) whose squares
/// overflow a double still give every variance that a double can hold. Two sets combine with Chan's formula,
/// whose M2 terms are all non-negative: merging never cancels, so a window built from merged parts is as
/// accurate as its parts (each merge adds at most ~2 ulps of relative error to M2). O(1), 40 bytes.
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
            var v = Math.ScaleB(M2 / Count, Scale);
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

        // mean = meanA·(na/n) + meanB·(nb/n) in double-double: weights below 1 cannot overflow near
        // double.MaxValue, and a mean near zero from cancelling parts keeps its accuracy.
        var mean = (a.Mean * (new DoubleDouble(na, 0) / n)) + (b.Mean * (new DoubleDouble(nb, 0) / n));

        // The between-sets term δ²·na·nb/n, with δ scaled below 2^450 first when it is huge.
        var delta = (b.Mean - a.Mean).Value;
        var deltaScale = ScaleFor(delta);
        var scaledDelta = Math.ScaleB(delta, -deltaScale);
        var between = scaledDelta * scaledDelta * (na * (nb / n));

        if ((a.Scale | b.Scale | deltaScale) == 0)
        {
            return new Moments(a.Count + b.Count, mean, a.M2 + b.M2 + between);
        }

        // Sum the three non-negative terms at the largest scale (power-of-two rescaling is exact).
        var scale = Math.Max(Math.Max(a.Scale, b.Scale), 2 * deltaScale);
        var m2 = Math.ScaleB(a.M2, a.Scale - scale) + Math.ScaleB(b.M2, b.Scale - scale) + Math.ScaleB(between, (2 * deltaScale) - scale);
        return new Moments(a.Count + b.Count, mean, m2, scale);
    }

    /// <summary>The power of two to divide <paramref name="x"/> by so that its square cannot overflow (0 for ordinary values).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ScaleFor(double x)
    {
        var exponent = Math.ILogB(x);
        return exponent > SafeExponent && exponent != int.MaxValue ? exponent - SafeExponent : 0;
    }
}

/// <summary>
/// Summarises a run of values in one pass: sums of d = x − anchor (the anchor being the run's first value)
/// accumulated as compensated double-double pairs (Ogita–Rump–Oishi Sum2: as accurate as summing in twice the
/// precision), then centred into <see cref="Moments"/>. Because the anchor lies inside the run,
/// Σd² ≤ (n+1)·M2, so centring loses at most log2(n+1) of the ~106 bits: a large offset with a tiny spread
/// (1e9 ± 1e-3) keeps its full accuracy. O(n), no allocation; the two sums form independent
/// dependency chains, so the loop runs at about one add latency per value.
/// </summary>
internal static class RunSummarizer
{
    public static Summary Summarize(ReadOnlySpan<double> run)
    {
        if (run.IsEmpty)
        {
            return Summary.Empty;
        }

        // Runs with values beyond 2^450 (~3e135) are summarised on x·2^-scale (exact) with the scale kept beside
        // M2: every unscaled M2 then stays below n·2^904, so no sum of them, nor any merge, can overflow.
        var summary = SummarizeOrdinary(run);
        var scale = Moments.ScaleFor(Math.Max(Math.Abs(summary.Min), Math.Abs(summary.Max)));
        return scale == 0 ? summary : SummarizeScaled(run, scale + 2, summary.Min, summary.Max);
    }

    /// <summary>Rare (|x| beyond ~3e135): summarise an exactly rescaled copy, keep the scale beside M2.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Summary SummarizeScaled(ReadOnlySpan<double> run, int scale, double min, double max)
    {
        var copy = new double[run.Length];
        for (var i = 0; i < run.Length; i++)
        {
            copy[i] = Math.ScaleB(run[i], -scale);
        }

        var m = SummarizeOrdinary(copy).Moments;
        var mean = new DoubleDouble(Math.ScaleB(m.Mean.Hi, scale), Math.ScaleB(m.Mean.Lo, scale));

        // Min and max of the run itself: scaling may have flushed tiny values to zero.
        return new Summary(new Moments(m.Count, mean, m.M2, 2 * scale), min, max);
    }

    private static Summary SummarizeOrdinary(ReadOnlySpan<double> run)
    {
        var anchor = run[0];
        double s1 = 0, c1 = 0, s2 = 0, c2 = 0;
        var min = run[0];
        var max = run[0];
        foreach (var value in run)
        {
            // Oldest first: a tie takes the newer value.
            min = value <= min ? value : min;
            max = value >= max ? value : max;
            var x = value;

            // d = x − anchor exactly, as dh + dl (TwoSum).
            var dh = x - anchor;
            var bb = dh - x;
            var dl = (x - (dh - bb)) + (-anchor - bb);

            // S1 += d: TwoSum on the leading part, every rounding error collected in c1.
            var t1 = s1 + dh;
            var b1 = t1 - s1;
            c1 += ((s1 - (t1 - b1)) + (dh - b1)) + dl;
            s1 = t1;

            // S2 += d² = dh² (exact with FMA) + 2·dh·dl.
            var p = dh * dh;
            var pe = Math.FusedMultiplyAdd(dh, dh, -p) + (2.0 * dh * dl);
            var t2 = s2 + p;
            var b2 = t2 - s2;
            c2 += ((s2 - (t2 - b2)) + (p - b2)) + pe;
            s2 = t2;
        }

        var n = (double)run.Length;
        var sum1 = DoubleDouble.FromSum(s1, c1);
        var sum2 = DoubleDouble.FromSum(s2, c2);
        var meanOffset = sum1 / n;
        var m2 = (sum2 - (sum1 * meanOffset)).Value;
        return new Summary(new Moments(run.Length, meanOffset + anchor, m2), min, max);
    }
}
