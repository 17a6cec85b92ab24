using System.Text.Json.Serialization;

namespace TradeStat.Api.Responses;

/// <summary>Answer of <c>POST /add_batch/</c>.</summary>
/// <param name="Symbol">The symbol appended to.</param>
/// <param name="Added">Values added by this batch.</param>
/// <param name="Count">Points ever added to the symbol.</param>
public sealed record AddBatchResponse(
    [property: JsonPropertyName("symbol")] string Symbol,
    [property: JsonPropertyName("added")] int Added,
    [property: JsonPropertyName("count")] long Count);
