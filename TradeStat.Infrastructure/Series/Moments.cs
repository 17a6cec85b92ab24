using System.Runtime.CompilerServices;

namespace TradeStat.Infrastructure.Series;

/// <summary>
/// Count, mean and M2 (Welford's centred second moment Σ(x − mean)²) of a set of doubles, in double-double.
/// Two sets combine with Chan's formula, whose terms are all non-negative: merging never cancels, so a
/// window built from merged parts is as accurate as its parts, whatever the data. O(1), 40 bytes.
/// </summary>
internal readonly struct Moments(long count, DoubleDouble mean, DoubleDouble m2)
{
    public readonly long Count = count;
    public readonly DoubleDouble Mean = mean;
    public readonly DoubleDouble M2 = m2;

    public static Moments Empty => default;

    /// <summary>Population variance M2 / n, never negative; +∞ when the squares overflowed (|x| beyond ~1e154).</summary>
    public double Variance
    {
        get
        {
            var v = M2.Value / Count;
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
        var delta = b.Mean - a.Mean;
        var weight = DoubleDouble.Product(na, nb) / n;
        var m2 = a.M2 + b.M2 + (delta * delta * weight);
        return new Moments(a.Count + b.Count, mean, m2);
    }
}

/// <summary>
/// Summarises a run of values in one pass: sums of d = x − anchor (the anchor being the run's first value)
/// kept as error-free double-double pairs (Ogita–Rump–Oishi Sum2), then centred into <see cref="Moments"/>.
/// Because the anchor lies inside the run, Σd² ≤ (n+1)·M2, so converting loses at most log2(n+1) of the
/// ~106 bits: a large offset with a tiny spread (1e9 ± 1e-3) keeps its full accuracy, and values on a common
/// binary grid (typical prices) are summed exactly. O(n), no allocation; the two sums form independent
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

        var anchor = run[0];
        double s1 = 0, c1 = 0, s2 = 0, c2 = 0;
        var min = anchor;
        var max = anchor;
        foreach (var x in run)
        {
            // Oldest first: a tie takes the newer value.
            min = x <= min ? x : min;
            max = x >= max ? x : max;

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
        var m2 = sum2 - (sum1 * meanOffset);
        return new Summary(new Moments(run.Length, meanOffset + anchor, m2), min, max);
    }
}
