using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;

namespace TradeStat.Ceiling;

/// <summary>Hello-world MVC twins of TradeStat's endpoints: the same framework work, no engine, no validation.</summary>
[ApiController]
[Route("mvc")]
public sealed class CeilingController : ControllerBase
{
    /// <summary>Binds <c>symbol</c> and <c>k</c> and answers a constant stats-shaped object.</summary>
    [HttpGet("stats")]
    public IActionResult Stats([FromQuery] string symbol, [FromQuery] int k) =>
        Ok(new CeilingStats(symbol, k, 1000, 1.5, 99.25, 42.125, 50.0625, 833.3));

    /// <summary>Reads the whole body and drops it: the transport share of <c>POST /add_batch/</c>.</summary>
    [HttpPost("discard")]
    [Consumes("application/json")]
    public async Task<IActionResult> Discard()
    {
        var body = Request.BodyReader;
        long length = 0;

        // Bounded by Kestrel's MaxRequestBodySize: past it the read throws and the client gets 413.
        while (true)
        {
            var read = await body.ReadAsync(HttpContext.RequestAborted);
            length += read.Buffer.Length;
            body.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted || read.IsCanceled)
            {
                break;
            }
        }

        return Ok(new CeilingDiscarded(length));
    }
}

/// <summary>Same shape and names as TradeStat's stats answer.</summary>
public sealed record CeilingStats(
    [property: JsonPropertyName("symbol")] string Symbol,
    [property: JsonPropertyName("k")] int K,
    [property: JsonPropertyName("count")] long Count,
    [property: JsonPropertyName("min")] double Min,
    [property: JsonPropertyName("max")] double Max,
    [property: JsonPropertyName("last")] double Last,
    [property: JsonPropertyName("avg")] double Avg,
    [property: JsonPropertyName("var")] double Var);

/// <summary>Answer of <c>POST /mvc/discard</c>: how many body bytes were read.</summary>
public sealed record CeilingDiscarded([property: JsonPropertyName("bytes")] long Bytes);

/// <summary>Source-generated JSON metadata, as TradeStat uses for its answers, so the ratio compares like with like.</summary>
[JsonSerializable(typeof(CeilingStats))]
[JsonSerializable(typeof(CeilingDiscarded))]
internal sealed partial class CeilingJsonContext : JsonSerializerContext;
