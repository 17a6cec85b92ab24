using System.Runtime.CompilerServices;

namespace TradeStat.Infrastructure.Series;

/// <summary>
/// Count, mean and M2 (Welford's centred second moment) of a multiset of doubles that supports removal.
/// O(1) per add, remove and read; 48 bytes.
/// </summary>
/// <remarks>
/// The moments are kept as shifted sums S1 = Σd and S2 = Σd² of d = x − anchor in double-double, where the
/// anchor is the first value added. Then mean = anchor + S1/n and M2 = S2 − S1²/n. Shifting by a value of
/// the data keeps d small (no cancellation for a large offset with a tiny spread, e.g. 1e9 ± 1e-3), and
/// double-double makes each d and d² exact for typical prices, so a removal cancels its addition exactly
/// and nothing drifts. Where a rounding does happen it is ~2^-104 of the magnitudes involved; the owner
/// replaces each accumulator by a freshly built one every window (see <see cref="SymbolSeries"/>), which
/// bounds how long any error can live.
/// </remarks>
internal struct RollingMoments
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
            _s1 = DoubleDouble.Zero;
            _s2 = DoubleDouble.Zero;
        }

        var d = DoubleDouble.Difference(x, _anchor);
        _s1 += d;
        _s2 += DoubleDouble.Square(d);
        _count++;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Remove(double x)
    {
        var d = DoubleDouble.Difference(x, _anchor);
        _s1 -= d;
        _s2 -= DoubleDouble.Square(d);
        _count--;
    }

    public void Clear() => this = default;

    /// <summary>Mean of the values held, as a double-double offset from the anchor.</summary>
    public readonly double Mean()
    {
        var meanOffset = _s1 / _count;
        return (meanOffset + _anchor).Value;
    }

    /// <summary>Population variance M2/n, never negative.</summary>
    public readonly double Variance()
    {
        var n = (double)_count;
        var m2 = _s2 - ((_s1 * _s1) / n);
        var variance = m2.Value / n;

        // NaN only arises when squares overflowed (|x − anchor| > ~1e154): report saturation, not NaN.
        return double.IsNaN(variance) ? double.PositiveInfinity : Math.Max(variance, 0.0);
    }
}
