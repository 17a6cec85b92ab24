using System.Text.Json.Serialization;

namespace TradeStat.Api.Contracts;

/// <summary>Answer of <c>POST /add_batch/</c>.</summary>
/// <param name="Symbol">The symbol appended to.</param>
/// <param name="Added">Values added by this batch.</param>
/// <param name="Count">Points ever added to the symbol.</param>
public sealed record AddBatchResponse(
    [property: JsonPropertyName("symbol")] string Symbol,
    [property: JsonPropertyName("added")] int Added,
    [property: JsonPropertyName("count")] long Count);

/// <summary>Answer of <c>GET /stats/</c>: statistics over the last <c>count</c> points.</summary>
public sealed record StatsResponse(
    [property: JsonPropertyName("symbol")] string Symbol,
    [property: JsonPropertyName("k")] int K,
    [property: JsonPropertyName("count")] long Count,
    [property: JsonPropertyName("min")] double Min,
    [property: JsonPropertyName("max")] double Max,
    [property: JsonPropertyName("last")] double Last,
    [property: JsonPropertyName("avg")] double Avg,
    [property: JsonPropertyName("var")] double Var);

/// <summary>Query of <c>GET /stats/</c>, kept as text so that every malformed <c>k</c> gets a clear message.</summary>
public sealed class StatsQuery
{
    /// <summary>The symbol.</summary>
    public string? Symbol { get; init; }

    /// <summary>The decade k (1..8) as sent.</summary>
    public string? K { get; init; }

    /// <summary>How many times <c>symbol</c> was given (binding keeps the first: more than one is an error).</summary>
    public int SymbolCount { get; init; } = 1;

    /// <summary>How many times <c>k</c> was given.</summary>
    public int KCount { get; init; } = 1;

    /// <summary>
    /// The query as sent: the first value of each parameter (names case-insensitive, as model binding reads them) and
    /// how many times each was given.
    /// </summary>
    public static StatsQuery From(IQueryCollection query)
    {
        var symbol = query["symbol"];
        var k = query["k"];
        return new StatsQuery
        {
            Symbol = symbol.Count > 0 ? symbol[0] : null,
            K = k.Count > 0 ? k[0] : null,
            SymbolCount = symbol.Count,
            KCount = k.Count,
        };
    }
}

/// <summary>The wire shape of the <c>POST /add_batch/</c> body, for the OpenAPI document (the body itself is read by
/// <see cref="Formatting.AddBatchRequestParser"/>).</summary>
/// <param name="Symbol">1–32 characters from A–Z a–z 0–9 . _ - : /</param>
/// <param name="Values">1 to 10,000 finite numbers, oldest first.</param>
public sealed record AddBatchBody(
    [property: JsonPropertyName("symbol"), System.ComponentModel.DataAnnotations.Required, System.ComponentModel.DataAnnotations.StringLength(32, MinimumLength = 1)] string Symbol,
    [property: JsonPropertyName("values"), System.ComponentModel.DataAnnotations.Required, System.ComponentModel.DataAnnotations.Length(1, 10_000)] double[] Values);

/// <summary>Source-generated JSON metadata for the API's own types (no reflection on the hot path).</summary>
[JsonSerializable(typeof(AddBatchResponse))]
[JsonSerializable(typeof(StatsResponse))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
