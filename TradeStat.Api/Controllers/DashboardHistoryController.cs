using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using TradeStat.Api.Dashboard;
using TradeStat.Api.Routing;

namespace TradeStat.Api.Controllers;

/// <summary>
/// The recent past of one feed symbol for the dashboard's detail chart (<see cref="FeedHistory"/>). Read-only; for
/// the page at <c>/</c>, not part of the API.
/// </summary>
[ApiController]
[Route("dashboard/feed")]
[ApiExplorerSettings(IgnoreApi = true)]
public sealed class DashboardHistoryController(FeedHistory history, IOptions<DashboardOptions> options) : ControllerBase
{
    /// <summary>
    /// <c>{"symbol":…,"t":[ms since the Unix epoch…],"last":[…],"median":[…]}</c>, oldest first, prices as the exact
    /// text <c>GET /{symbol}</c> writes (median null before the symbol has one).
    /// </summary>
    [HttpGet("history")]
    public IActionResult History([FromQuery] string? symbol)
    {
        if (!options.Value.Enabled)
        {
            return NotFound();
        }

        DashboardFiles.AddSecurityHeaders(Response.Headers);
        if (string.IsNullOrEmpty(symbol) || symbol.Length > FeedSymbolRouteConstraint.MaxLength || symbol.Any(char.IsControl))
        {
            return Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid symbol",
                detail: $"symbol is required: a feed symbol of 1 to {FeedSymbolRouteConstraint.MaxLength} characters, e.g. BTCUSDT.");
        }

        if (history.Get(symbol) is not { } samples)
        {
            return Problem(statusCode: StatusCodes.Status404NotFound, title: "Symbol not found",
                detail: "The feed does not follow this symbol. GET /symbols lists every symbol it follows.");
        }

        var buffer = new ArrayBufferWriter<byte>(256 + (samples.Times.Length * 48));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("symbol"u8, samples.Symbol);
            writer.WriteStartArray("t"u8);
            foreach (var t in samples.Times)
            {
                writer.WriteNumberValue(t);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("last"u8);
            foreach (var last in samples.Last)
            {
                writer.WriteStringValue(ApiText.Price(last));
            }

            writer.WriteEndArray();
            writer.WriteStartArray("median"u8);
            foreach (var median in samples.Median)
            {
                if (ApiText.Price(median) is { } text)
                {
                    writer.WriteStringValue(text);
                }
                else
                {
                    writer.WriteNullValue();
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return File(buffer.WrittenMemory.ToArray(), "application/json");
    }
}
