using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace TradeStat.Infrastructure.Series;

/// <summary>
/// O(n) per run, no allocation.
/// Summarises a run of values in one pass: sums of d = x − anchor (the anchor being the run's first value)
/// accumulated as compensated double-double pairs (Ogita–Rump–Oishi Sum2: as accurate as summing in twice the
/// precision), then centred into <see cref="Moments"/>. Because the anchor lies inside the run,
/// Σd² ≤ (n+1)·M2, so centring loses at most log2(n+1) of the ~106 bits: a large offset with a tiny spread
/// (1e9 ± 1e-3) keeps its full accuracy. The two sums form independent dependency chains, so the loop runs at about
/// one add latency per value.
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
