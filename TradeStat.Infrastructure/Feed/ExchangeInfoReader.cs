using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace TradeStat.Infrastructure.Feed;

/// <summary>Reads the symbol list of a <c>GET /api/v3/exchangeInfo</c> response; unreadable entries are skipped and logged.</summary>
internal static class ExchangeInfoReader
{
    /// <summary>Every listed symbol (any status: BREAK symbols are listed by Binance and trade again later).</summary>
    public static IReadOnlyList<string> ReadSymbols(ReadOnlySpan<byte> json, ILogger logger)
    {
        var reader = new Utf8JsonReader(json);
        using var doc = JsonDocument.ParseValue(ref reader);
        if (doc.RootElement.ValueKind != JsonValueKind.Object
            || !doc.RootElement.TryGetProperty("symbols", out var symbols)
            || symbols.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException("exchangeInfo has no \"symbols\" array.");
        }

        var result = new List<string>(symbols.GetArrayLength());
        var skipped = 0;
        var index = 0;
        foreach (var entry in symbols.EnumerateArray())
        {
            if (entry.ValueKind == JsonValueKind.Object
                && entry.TryGetProperty("symbol", out var symbol)
                && symbol.ValueKind == JsonValueKind.String
                && TryGetString(symbol, out var name) && name.Length > 0
                && System.Text.Encoding.UTF8.GetByteCount(name) <= TradeMessageParser.MaxSymbolBytes)
            {
                result.Add(name);
            }
            else
            {
                skipped++;
                logger.LogWarning("exchangeInfo entry {Index} has no readable symbol; skipped", index);
            }

            index++;
        }

        if (skipped > 0)
        {
            logger.LogWarning("exchangeInfo: {Skipped} of {Total} entries skipped", skipped, index);
        }

        return result;
    }

    /// <summary>
    /// The string value, or false when it cannot be transcoded (a lone surrogate escape such as <c>"\ud800"</c> is valid
    /// JSON, yet <see cref="JsonElement.GetString"/> throws <see cref="InvalidOperationException"/> on it).
    /// </summary>
    internal static bool TryGetString(JsonElement element, out string value)
    {
        try
        {
            value = element.GetString() ?? string.Empty;
            return true;
        }
        catch (InvalidOperationException)
        {
            value = string.Empty;
            return false;
        }
    }
}
