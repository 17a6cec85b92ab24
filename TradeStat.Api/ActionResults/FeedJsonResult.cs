using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using TradeStat.Domain.Feed;

namespace TradeStat.Api.ActionResults;

/// <summary>
/// Writes a <see cref="FeedSnapshot"/> with <see cref="Utf8JsonWriter"/>; median and last are written as the exact
/// decimal digits of the scaled integers (61666.19, never 61666.190000000002).
/// </summary>
public sealed class FeedJsonResult(FeedSnapshot snapshot) : IActionResult
{
    private static readonly JsonWriterOptions Options = new() { SkipValidation = true };

    /// <inheritdoc />
    public async Task ExecuteResultAsync(ActionContext context)
    {
        var http = context.HttpContext.Response;
        http.StatusCode = StatusCodes.Status200OK;
        http.ContentType = "application/json; charset=utf-8";
        Write(http.BodyWriter, snapshot);
        await http.BodyWriter.FlushAsync(context.HttpContext.RequestAborted);
    }

    /// <summary>Writes the JSON object.</summary>
    public static void Write(System.Buffers.IBufferWriter<byte> output, FeedSnapshot s)
    {
        using var writer = new Utf8JsonWriter(output, Options);
        writer.WriteStartObject();
        writer.WriteString("symbol"u8, s.Symbol);
        writer.WriteNumber("count"u8, s.Count);
        WritePrice(writer, "median"u8, s.MedianHalfUnits);
        WritePrice(writer, "last"u8, s.LastHalfUnits);
        writer.WriteBoolean("exact"u8, s.Exact);
        writer.WriteNumber("missed"u8, s.Missed);
        writer.WriteBoolean("filling"u8, s.Filling);
        writer.WriteEndObject();
        writer.Flush();
    }

    private static void WritePrice(Utf8JsonWriter writer, ReadOnlySpan<byte> name, long? halfUnits)
    {
        writer.WritePropertyName(name);
        if (halfUnits is not { } value)
        {
            writer.WriteNullValue();
            return;
        }

        Span<byte> digits = stackalloc byte[40];
        var n = ScaledPrice.FormatHalfUnits(value, digits);
        writer.WriteRawValue(digits[..n], skipInputValidation: true);
    }
}
