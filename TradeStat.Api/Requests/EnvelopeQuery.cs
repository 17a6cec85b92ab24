using TradeStat.Domain.Series;

namespace TradeStat.Api.Requests;

/// <summary>Query of <c>GET /envelope/</c>: the symbol and k as for <c>/stats/</c>, and the number of buckets, as text.</summary>
public sealed class EnvelopeQuery : SymbolLevelQuery
{
    /// <summary>The number of buckets as sent.</summary>
    public string? Buckets
    {
        get;
        init
        {
            field = value;
            BucketCount = TryParseBuckets(value, out var buckets) ? buckets : null;
        }
    }

    /// <summary>
    /// <see cref="Buckets"/> as a number, or null when it is not an integer from 1 to
    /// <see cref="SeriesLimits.MaxEnvelopeBuckets"/>.
    /// </summary>
    public int? BucketCount { get; private init; }

    /// <summary>How many times <c>buckets</c> was given (more than once is an error).</summary>
    public int BucketsCount { get; init; } = 1;

    /// <summary>The query as sent: the first value of each parameter and how many times each was given.</summary>
    public static EnvelopeQuery From(IQueryCollection query)
    {
        var symbol = query["symbol"];
        var k = query["k"];
        var buckets = query["buckets"];
        return new EnvelopeQuery
        {
            Symbol = symbol.Count > 0 ? symbol[0] : null,
            K = k.Count > 0 ? k[0] : null,
            Buckets = buckets.Count > 0 ? buckets[0] : null,
            SymbolCount = symbol.Count,
            KCount = k.Count,
            BucketsCount = buckets.Count,
        };
    }

    /// <summary>ASCII digits only, 1 to <see cref="SeriesLimits.MaxEnvelopeBuckets"/> (leading zeros allowed).</summary>
    public static bool TryParseBuckets(string? text, out int buckets) =>
        TryParseDigits(text, SeriesLimits.MaxEnvelopeBuckets, out buckets)
        && buckets is >= 1 and <= SeriesLimits.MaxEnvelopeBuckets;
}
