using System.Runtime.CompilerServices;

namespace TradeStat.Infrastructure.Series;

/// <summary>
/// O(1) merge; 56 bytes.
/// Everything window statistics need of a run of consecutive values except the last one: moments, min, max.
/// Among equal extremes (0.0 and -0.0 included) the newer run's value wins.
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
