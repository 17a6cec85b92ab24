using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using TradeStat.Api.Responses;

namespace TradeStat.Api.ActionResults;

/// <summary>
/// Writes a <see cref="StatsResponse"/> with <see cref="Utf8JsonWriter"/> (one cached per thread) and a
/// <c>Content-Length</c>: the hottest answer of the service skips output-formatter selection, content negotiation
/// and chunked framing. The bytes are what the source-generated serializer writes (same names, same shortest
/// round-trip numbers).
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

    /// <summary>Per thread: the answer is built here first, so its length is known before a byte is sent.</summary>
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>What an idle cached writer points at (never written to).</summary>
    private static readonly ArrayBufferWriter<byte> Detached = new(1);

    /// <summary>The answer to write.</summary>
    public StatsResponse Response { get; } = response;

    /// <inheritdoc />
    /// <remarks>
    /// The answer is formatted into a per-thread buffer and sent with a <c>Content-Length</c> and no explicit flush:
    /// Kestrel then writes headers and body in one send when the request completes. (Writing to the pipe and flushing
    /// would start a chunked response: headers and body in one send, the closing chunk in a second.)
    /// </remarks>
    public Task ExecuteResultAsync(ActionContext context)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        Write(buffer);

        var http = context.HttpContext.Response;
        http.StatusCode = StatusCodes.Status200OK;
        http.ContentType = "application/json; charset=utf-8";
        http.ContentLength = buffer.WrittenCount;
        http.BodyWriter.Write(buffer.WrittenSpan);
        return Task.CompletedTask;
    }

    /// <summary>Writes the JSON object to <paramref name="output"/> (synchronously: it is small and fixed in shape).</summary>
    public void Write(IBufferWriter<byte> output)
    {
        var writer = t_writer;
        if (writer is null)
        {
            writer = t_writer = new Utf8JsonWriter(output, Options);
        }
        else
        {
            writer.Reset(output);
        }

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

        // Drop the reference to the output, so that a thread's cached writer keeps no buffer of a finished request alive.
        writer.Reset(Detached);
    }
}
