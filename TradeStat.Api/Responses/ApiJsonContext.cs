using System.Text.Json.Serialization;

namespace TradeStat.Api.Responses;

/// <summary>Source-generated JSON metadata for the API's own types (no reflection on the hot path).</summary>
[JsonSerializable(typeof(AddBatchResponse))]
[JsonSerializable(typeof(StatsResponse))]
[JsonSerializable(typeof(EnvelopeResponse))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
