using System.Runtime.CompilerServices;

namespace TradeStat.Infrastructure.Series;

/// <summary>
/// Everything <c>GET /stats/</c> needs of a run of consecutive values except the last one: moments, min, max.
/// Merges in O(1); among equal extremes (0.0 and -0.0 included) the newer run's value wins.
/// </summary>
internal readonly struct Summary(Moments moments, double min, double max)
{
    public readonly Moments Moments = moments;
    public readonly double Min = min;
    public readonly double Max = max;

    public static Summary Empty => new(Moments.Empty, double.PositiveInfinity, double.NegativeInfinity);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Summary Merge(in Summary older, in Summary newer) => new(
        Moments.Merge(older.Moments, newer.Moments),
        newer.Min <= older.Min ? newer.Min : older.Min,
        newer.Max >= older.Max ? newer.Max : older.Max);
}

/// <summary>Add-only accumulator of a run of values: <see cref="AnchoredSums"/> plus min and max.</summary>
internal struct RunAccumulator
{
    private AnchoredSums _sums;
    private double _min;
    private double _max;

    public readonly long Count => _sums.Count;

    /// <summary>Adds a value newer than all before it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(double x)
    {
        if (_sums.Count == 0)
        {
            _min = x;
            _max = x;
        }

        _min = x <= _min ? x : _min;
        _max = x >= _max ? x : _max;
        _sums.Add(x);
    }

    public void Clear() => this = default;

    public readonly Summary ToSummary() =>
        _sums.Count == 0 ? Summary.Empty : new Summary(_sums.ToMoments(), _min, _max);
}
