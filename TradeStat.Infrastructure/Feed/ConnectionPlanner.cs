using System.Text;

namespace TradeStat.Infrastructure.Feed;

/// <summary>One connection of a plan: its URL (the first streams) and the SUBSCRIBE batches for the rest.</summary>
internal sealed record ConnectionPlan(IReadOnlyList<string> Streams, Uri Url, int UrlStreams, IReadOnlyList<IReadOnlyList<string>> SubscribeBatches);

/// <summary>
/// Splits the universe into ceil(N / MaxStreamsPerConnection) connections; each puts as many streams in its URL as
/// <c>MaxUrlStreams</c> and <c>MaxUrlLength</c> allow and subscribes the rest in batches. O(N).
/// </summary>
internal static class ConnectionPlanner
{
    /// <summary>The trade stream name of a symbol (stream names are lower case).</summary>
    public static string StreamName(string symbol) => symbol.ToLowerInvariant() + "@trade";

    /// <summary>Splits <paramref name="symbols"/> into connection groups of at most MaxStreamsPerConnection.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Group(IReadOnlyList<string> symbols, BinanceOptions options)
    {
        var groups = new List<IReadOnlyList<string>>();
        for (var i = 0; i < symbols.Count; i += options.MaxStreamsPerConnection)
        {
            groups.Add(symbols.Skip(i).Take(options.MaxStreamsPerConnection).Select(StreamName).ToArray());
        }

        return groups;
    }

    /// <summary>The plan for every connection.</summary>
    public static IReadOnlyList<ConnectionPlan> Plan(IReadOnlyList<string> symbols, BinanceOptions options) =>
        Group(symbols, options).Select(g => PlanConnection(g, options)).ToArray();

    /// <summary>URL and batches for one connection's streams.</summary>
    public static ConnectionPlan PlanConnection(IReadOnlyList<string> streams, BinanceOptions options)
    {
        var prefix = options.StreamBaseUrl.ToString().TrimEnd('/') + "/stream?streams=";
        var url = new StringBuilder(prefix);
        var inUrl = 0;
        foreach (var stream in streams)
        {
            var escaped = Escape(stream);
            var extra = escaped.Length + (inUrl > 0 ? 1 : 0);
            if (inUrl >= options.MaxUrlStreams || url.Length + extra > options.MaxUrlLength)
            {
                break;
            }

            if (inUrl > 0)
            {
                url.Append('/');
            }

            url.Append(escaped);
            inUrl++;
        }

        // A URL needs at least one stream; with none, /stream alone would be refused, so subscribe everything.
        if (inUrl == 0 && streams.Count > 0)
        {
            throw new InvalidOperationException("The first stream does not fit in Binance:MaxUrlLength.");
        }

        return new ConnectionPlan(streams, new Uri(url.ToString()), inUrl, Batches(streams.Skip(inUrl), options));
    }

    /// <summary>Largest SUBSCRIBE message sent, in bytes (users report that messages over ~4 KB are ignored).</summary>
    public const int MaxRequestBytes = 3_800;

    /// <summary>
    /// Splits streams into SUBSCRIBE/UNSUBSCRIBE batches of at most SubscribeBatchSize streams and
    /// <see cref="MaxRequestBytes"/> bytes of JSON each.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> Batches(IEnumerable<string> streams, BinanceOptions options)
    {
        // {"method":"UNSUBSCRIBE","params":[],"id":9223372036854775807} is 62 bytes; each stream adds "name", (3 + its bytes).
        const int Envelope = 64;
        var batches = new List<IReadOnlyList<string>>();
        var current = new List<string>();
        var bytes = Envelope;
        foreach (var stream in streams)
        {
            var size = Encoding.UTF8.GetByteCount(stream) + 3;
            if (current.Count > 0 && (current.Count >= options.SubscribeBatchSize || bytes + size > MaxRequestBytes))
            {
                batches.Add(current.ToArray());
                current.Clear();
                bytes = Envelope;
            }

            current.Add(stream);
            bytes += size;
        }

        if (current.Count > 0)
        {
            batches.Add(current.ToArray());
        }

        return batches;
    }

    // Stream names of non-ASCII symbols are percent-encoded; '@' and '/' stay as Binance writes them.
    private static string Escape(string stream) => Uri.EscapeDataString(stream).Replace("%40", "@", StringComparison.Ordinal);
}
