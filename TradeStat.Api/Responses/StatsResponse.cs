using System.Text.Json.Serialization;

namespace TradeStat.Api.Responses;

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
