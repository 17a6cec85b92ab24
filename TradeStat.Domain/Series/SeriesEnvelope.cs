namespace TradeStat.Domain.Series;

/// <summary>
/// The smallest and largest value of each of <see cref="Buckets"/> consecutive, nearly equal parts of a window: what a
/// chart of the window draws, one bucket per pixel column, without reading every point.
/// </summary>
/// <param name="Count">Points in the window: min(10^k, points ever added).</param>
/// <param name="Start">Position of the window's first point among all points ever added (0 is the first point ever).</param>
/// <param name="Min">Per bucket, its smallest value, exactly as sent.</param>
/// <param name="Max">Per bucket, its largest value, exactly as sent.</param>
/// <remarks>
/// Bucket i covers the points from <c>Start + ⌊i·Count/Buckets⌋</c> up to, not including, <c>Start + ⌊(i+1)·Count/Buckets⌋</c>:
/// every point is in exactly one bucket, and no bucket is empty (there are never more buckets than points).
/// </remarks>
public sealed record SeriesEnvelope(long Count, long Start, double[] Min, double[] Max)
{
    /// <summary>Number of buckets.</summary>
    public int Buckets => Min.Length;

    /// <summary>The first point of bucket <paramref name="bucket"/>, as a position among all points ever added.</summary>
    public long BucketStart(int bucket) => BucketStart(Start, Count, Buckets, bucket);

    /// <summary>The first point of bucket <paramref name="bucket"/> of <paramref name="buckets"/> over <paramref name="count"/> points from <paramref name="start"/>.</summary>
    public static long BucketStart(long start, long count, int buckets, int bucket) =>
        start + (long)(((Int128)count * bucket) / buckets);
}
