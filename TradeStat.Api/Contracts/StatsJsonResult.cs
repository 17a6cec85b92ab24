using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

namespace TradeStat.Api.Contracts;

/// <summary>
/// Writes a <see cref="StatsResponse"/> straight to the response pipe with <see cref="Utf8JsonWriter"/>:
/// the hottest answer of the service skips output-formatter selection and content negotiation. The bytes are
/// what the source-generated serializer writes (same names, same shortest round-trip numbers).
/// </summary>
public sealed class StatsJsonResult(StatsResponse response) : IActionResult
{
    private static readonly JsonEncodedText Symbol = JsonEncodedText.Encode("symbol");
    private static readonly JsonEncodedText K = JsonEncodedText.Encode("k");
    private static readonly JsonEncodedText Count = JsonEncodedText.Encode("count");
    private static readonly JsonEncodedText Min = JsonEncodedText.Encode("min");
    private static readonly JsonEncodedText Max = JsonEncodedText.Encode("max");
    private static readonly JsonEncodedText Last = JsonEncodedText.Encode("last");
    private static readonly JsonEncodedText Avg = JsonEncodedText.Encode("avg");
    private static readonly JsonEncodedText Var = JsonEncodedText.Encode("var");

    private static readonly JsonWriterOptions Options = new() { SkipValidation = true };

    /// <summary>The answer to write.</summary>
    public StatsResponse Response { get; } = response;

    /// <inheritdoc />
    public async Task ExecuteResultAsync(ActionContext context)
    {
        var http = context.HttpContext.Response;
        http.StatusCode = StatusCodes.Status200OK;
        http.ContentType = "application/json; charset=utf-8";
        Write(http.BodyWriter);
        await http.BodyWriter.FlushAsync(context.HttpContext.RequestAborted);
    }

    /// <summary>Writes the JSON object to <paramref name="output"/> (synchronously; it is ~150 bytes).</summary>
    public void Write(System.Buffers.IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, Options);
        var r = Response;
        writer.WriteStartObject();
        writer.WriteString(Symbol, r.Symbol);
        writer.WriteNumber(K, r.K);
        writer.WriteNumber(Count, r.Count);
        writer.WriteNumber(Min, r.Min);
        writer.WriteNumber(Max, r.Max);
        writer.WriteNumber(Last, r.Last);
        writer.WriteNumber(Avg, r.Avg);
        writer.WriteNumber(Var, r.Var);
        writer.WriteEndObject();
        writer.Flush();
    }
}
