using System.Text.Json.Serialization;

namespace TradeStat.Api.Requests;

/// <summary>The wire shape of the <c>POST /add_batch/</c> body, for the OpenAPI document (the body itself is read by
/// <see cref="Formatting.AddBatchRequestParser"/>).</summary>
/// <param name="Symbol">1–32 characters from A–Z a–z 0–9 . _ - : /</param>
/// <param name="Values">1 to 10,000 finite numbers, oldest first.</param>
public sealed record AddBatchBody(
    [property: JsonPropertyName("symbol"), System.ComponentModel.DataAnnotations.Required, System.ComponentModel.DataAnnotations.StringLength(32, MinimumLength = 1)] string Symbol,
    [property: JsonPropertyName("values"), System.ComponentModel.DataAnnotations.Required, System.ComponentModel.DataAnnotations.Length(1, 10_000)] double[] Values);
