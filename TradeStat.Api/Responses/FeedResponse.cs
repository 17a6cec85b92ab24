using System.Text.Json.Serialization;

namespace TradeStat.Api.Responses;

/// <summary>Answer of <c>GET /{symbol}</c> (the wire shape, for the OpenAPI document).</summary>
public sealed record FeedResponse(
    [property: JsonPropertyName("symbol")] string Symbol,
    [property: JsonPropertyName("count")] long Count,
    [property: JsonPropertyName("median")] decimal? Median,
    [property: JsonPropertyName("last")] decimal? Last,
    [property: JsonPropertyName("exact")] bool Exact);
