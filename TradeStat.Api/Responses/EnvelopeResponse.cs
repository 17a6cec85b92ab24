using System.Text.Json.Serialization;

namespace TradeStat.Api.Responses;

/// <summary>
/// Answer of <c>GET /envelope/</c>: the last <c>count</c> points, from position <c>start</c> on, in <c>buckets</c>
/// consecutive parts, with each part's smallest and largest value.
/// </summary>
public sealed record EnvelopeResponse(
    [property: JsonPropertyName("symbol")] string Symbol,
    [property: JsonPropertyName("k")] int K,
    [property: JsonPropertyName("count")] long Count,
    [property: JsonPropertyName("start")] long Start,
    [property: JsonPropertyName("buckets")] int Buckets,
    [property: JsonPropertyName("min")] double[] Min,
    [property: JsonPropertyName("max")] double[] Max);
