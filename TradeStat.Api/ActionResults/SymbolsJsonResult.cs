using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

namespace TradeStat.Api.ActionResults;

/// <summary>Writes the symbol list as a JSON array of strings.</summary>
public sealed class SymbolsJsonResult(IReadOnlyList<string> symbols) : IActionResult
{
    /// <inheritdoc />
    public async Task ExecuteResultAsync(ActionContext context)
    {
        var http = context.HttpContext.Response;
        http.StatusCode = StatusCodes.Status200OK;
        http.ContentType = "application/json; charset=utf-8";
        using (var writer = new Utf8JsonWriter(http.BodyWriter))
        {
            writer.WriteStartArray();
            foreach (var s in symbols)
            {
                writer.WriteStringValue(s);
            }

            writer.WriteEndArray();
        }

        await http.BodyWriter.FlushAsync(context.HttpContext.RequestAborted);
    }
}
