using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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

    private static Summary SummarizeOrdinary(ReadOnlySpan<double> run) =>
        Vector256.IsHardwareAccelerated && run.Length >= 2 * Vector256<double>.Count
            ? SummarizeVector(run)
            : SummarizeScalar(run);

    /// <summary>
    /// Four Sum2 lanes at once (values i ≡ lane mod 4), the few values past the last whole vector in a scalar
    /// lane, all anchored at run[0]; the lanes' compensated sums are then added in double-double. The same
    /// error-free transformations as <see cref="SummarizeScalar"/>, so the same accuracy, at about a quarter of
    /// the floating-point work per value.
    /// </summary>
    internal static Summary SummarizeVector(ReadOnlySpan<double> run)
    {
        var anchor = run[0];
        var a = Vector256.Create(anchor);
        var minusA = -a;
        var two = Vector256.Create(2.0);
        var s1 = Vector256<double>.Zero;
        var c1 = Vector256<double>.Zero;
        var s2 = Vector256<double>.Zero;
        var c2 = Vector256<double>.Zero;
        var vmin = Vector256.Create(anchor);
        var vmax = vmin;
        ref var first = ref MemoryMarshal.GetReference(run);
        var whole = run.Length & ~(Vector256<double>.Count - 1);
        for (var i = 0; i < whole; i += Vector256<double>.Count)
        {
            var x = Vector256.LoadUnsafe(ref first, (nuint)i);
            vmin = Vector256.Min(vmin, x);
            vmax = Vector256.Max(vmax, x);

            var dh = x - a;
            var bb = dh - x;
            var dl = (x - (dh - bb)) + (minusA - bb);

            var t1 = s1 + dh;
            var b1 = t1 - s1;
            c1 += ((s1 - (t1 - b1)) + (dh - b1)) + dl;
            s1 = t1;

            var p = dh * dh;
            var pe = Vector256.FusedMultiplyAdd(dh, dh, -p) + (two * dh * dl);
            var t2 = s2 + p;
            var b2 = t2 - s2;
            c2 += ((s2 - (t2 - b2)) + (p - b2)) + pe;
            s2 = t2;
        }

        var sum1 = DoubleDouble.FromSum(s1[0], c1[0]);
        var sum2 = DoubleDouble.FromSum(s2[0], c2[0]);
        for (var lane = 1; lane < Vector256<double>.Count; lane++)
        {
            sum1 += DoubleDouble.FromSum(s1[lane], c1[lane]);
            sum2 += DoubleDouble.FromSum(s2[lane], c2[lane]);
        }

        var min = vmin[0];
        var max = vmax[0];
        for (var lane = 1; lane < Vector256<double>.Count; lane++)
        {
            min = Math.Min(min, vmin[lane]);
            max = Math.Max(max, vmax[lane]);
        }

        if (whole < run.Length)
        {
            var rest = AnchoredSums(run[whole..], anchor);
            sum1 += rest.Sum1;
            sum2 += rest.Sum2;
            min = Math.Min(min, rest.Min);
            max = Math.Max(max, rest.Max);
        }

        if (min == 0 || max == 0)
        {
            // ±0 compare equal, and the newest of equal values is reported: let the scalar loop pick the sign.
            (min, max) = ScalarMinMax(run);
        }

        return Centre(run.Length, anchor, sum1, sum2, min, max);
    }

    internal static Summary SummarizeScalar(ReadOnlySpan<double> run)
    {
        var sums = AnchoredSums(run, run[0]);
        return Centre(run.Length, run[0], sums.Sum1, sums.Sum2, sums.Min, sums.Max);
    }

    private static (DoubleDouble Sum1, DoubleDouble Sum2, double Min, double Max) AnchoredSums(ReadOnlySpan<double> run, double anchor)
    {
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

        return (DoubleDouble.FromSum(s1, c1), DoubleDouble.FromSum(s2, c2), min, max);
    }

    private static (double Min, double Max) ScalarMinMax(ReadOnlySpan<double> run)
    {
        var min = run[0];
        var max = run[0];
        foreach (var value in run)
        {
            min = value <= min ? value : min;
            max = value >= max ? value : max;
        }

        return (min, max);
    }

    /// <summary>From the anchored sums Σd and Σd² to count, mean and M2.</summary>
    private static Summary Centre(int count, double anchor, DoubleDouble sum1, DoubleDouble sum2, double min, double max)
    {
        var n = (double)count;
        var meanOffset = sum1 / n;
        var m2 = (sum2 - (sum1 * meanOffset)).Value;
        return new Summary(new Moments(count, meanOffset + anchor, m2), min, max);
    }
}
