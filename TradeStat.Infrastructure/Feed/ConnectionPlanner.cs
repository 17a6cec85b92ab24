using System.Buffers;
using System.Text;
using System.Text.Json;

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

    /// <summary>Largest SUBSCRIBE/UNSUBSCRIBE message sent, in bytes as written (requests over ~4 KB get no answer).</summary>
    public const int MaxRequestBytes = 3_800;

    /// <summary>
    /// Splits streams into SUBSCRIBE/UNSUBSCRIBE batches of at most SubscribeBatchSize streams and
    /// <see cref="MaxRequestBytes"/> bytes each, measured as <see cref="SubscriptionRequest.Write"/> writes them (the
    /// longer method, the largest id), so a batch of non-ASCII names, escaped as <c>\uXXXX</c>, still fits. Order kept.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> Batches(IEnumerable<string> streams, BinanceOptions options)
    {
        var scratch = new ArrayBufferWriter<byte>(256);
        SubscriptionRequest.Write(scratch, "UNSUBSCRIBE", [], long.MaxValue);
        var envelope = scratch.WrittenCount;
        var batches = new List<IReadOnlyList<string>>();
        var current = new List<string>();
        var bytes = envelope;
        foreach (var stream in streams)
        {
            // The writer puts the values one after the other with a comma between them: a batch is the envelope plus
            // each value as written plus the commas.
            var size = SubscriptionRequest.ValueBytes(scratch, stream);
            if (current.Count > 0 && (current.Count >= options.SubscribeBatchSize || bytes + 1 + size > MaxRequestBytes))
            {
                batches.Add(current.ToArray());
                current.Clear();
                bytes = envelope;
            }

            bytes += (current.Count > 0 ? 1 : 0) + size;
            current.Add(stream);
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

/// <summary>
/// The JSON of a SUBSCRIBE, UNSUBSCRIBE or LIST_SUBSCRIPTIONS request, written one way for both the connection that sends
/// it and the planner that sizes its batches: <see cref="Utf8JsonWriter"/> with its default encoder, which escapes every
/// non-ASCII character (and a few ASCII ones) as <c>\uXXXX</c>, so a name takes more bytes written than in UTF-8.
/// </summary>
internal static class SubscriptionRequest
{
    /// <summary>Writes <c>{"method":…,"params":[…],"id":…}</c> (no params when <paramref name="streams"/> is null).</summary>
    public static void Write(IBufferWriter<byte> output, string method, IReadOnlyList<string>? streams, long id)
    {
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        writer.WriteString("method", method);
        if (streams is not null)
        {
            writer.WriteStartArray("params");
            foreach (var stream in streams)
            {
                writer.WriteStringValue(stream);
            }

            writer.WriteEndArray();
        }

        writer.WriteNumber("id", id);
        writer.WriteEndObject();
    }

    /// <summary>Bytes <paramref name="stream"/> takes in a request as <see cref="Write"/> writes it, quotes included.</summary>
    public static int ValueBytes(ArrayBufferWriter<byte> scratch, string stream)
    {
        scratch.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(scratch))
        {
            writer.WriteStringValue(stream);
        }

        return scratch.WrittenCount;
    }
}
