using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using TradeStat.Domain.Series;

namespace TradeStat.Api.Requests;

/// <summary>The wire shape of the <c>POST /add_batch/</c> body, for the OpenAPI document (the body itself is read by
/// <see cref="Formatting.AddBatchRequestParser"/>).</summary>
/// <param name="Symbol">A symbol as <see cref="SymbolName"/> defines it (at most <see cref="SeriesLimits.MaxSymbolLength"/> characters).</param>
/// <param name="Values">1 to <see cref="SeriesLimits.MaxBatchSize"/> finite numbers, oldest first.</param>
public sealed record AddBatchBody(
    [property: JsonPropertyName("symbol"), Required, StringLength(SeriesLimits.MaxSymbolLength, MinimumLength = 1)] string Symbol,
    [property: JsonPropertyName("values"), Required, Length(1, SeriesLimits.MaxBatchSize)] double[] Values);
