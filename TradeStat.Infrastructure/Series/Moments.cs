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

        // mean = (na·meanA + nb·meanB) / n: products and sum in double-double, so a mean near zero from
        // cancelling parts keeps its relative accuracy.
        var mean = ((a.Mean * na) + (b.Mean * nb)) / n;
        var delta = b.Mean - a.Mean;
        var weight = DoubleDouble.Product(na, nb) / n;
        var m2 = a.M2 + b.M2 + (delta * delta * weight);
        return new Moments(a.Count + b.Count, mean, m2);
    }
}

/// <summary>
/// Add-only accumulator of a set of doubles as sums of d = x − anchor in double-double, the anchor being a
/// member of the set. Because the anchor lies inside the set, Σd² exceeds n·variance by at most a factor
/// ~2n, so converting to <see cref="Moments"/> loses at most log2(2n) of double-double's ~106 bits:
/// accurate for a large offset with a tiny spread (1e9 ± 1e-3) and exact for data on a common binary grid.
/// O(1) per add, 48 bytes.
/// </summary>
internal struct AnchoredSums
{
    private long _count;
    private double _anchor;
    private DoubleDouble _s1;
    private DoubleDouble _s2;

    public readonly long Count => _count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(double x)
    {
        if (_count == 0)
        {
            _anchor = x;
        }

        var d = DoubleDouble.Difference(x, _anchor);
        _s1 += d;
        _s2 += DoubleDouble.Square(d);
        _count++;
    }

    public void Clear() => this = default;

    /// <summary>Centred moments: mean = anchor + S1/n, M2 = S2 − S1²/n.</summary>
    public readonly Moments ToMoments()
    {
        if (_count == 0)
        {
            return Moments.Empty;
        }

        var n = (double)_count;
        var meanOffset = _s1 / n;
        var m2 = _s2 - (_s1 * meanOffset);
        return new Moments(_count, meanOffset + _anchor, m2);
    }
}
