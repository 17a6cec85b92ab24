using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace TradeStat.Infrastructure.Feed;

/// <summary>Reads the symbol list of a <c>GET /api/v3/exchangeInfo</c> response; unreadable entries are skipped and logged.</summary>
internal static class ExchangeInfoReader
{
    /// <summary>The status of a symbol that does not trade: delisted, or suspended until further notice.</summary>
    public const string BreakStatus = "BREAK";

    /// <summary>The status assumed when an entry has none (recorded files may carry no status).</summary>
    public const string DefaultStatus = "TRADING";

    /// <summary>
    /// Every listed symbol with its status (TRADING, HALT, BREAK, END_OF_DAY, ...; missing or not a string: TRADING),
    /// and which of them the feed follows: every status but BREAK.
    /// </summary>
    public static ExchangeListing ReadListing(ReadOnlySpan<byte> json, ILogger logger)
    {
        var reader = new Utf8JsonReader(json);
        using var doc = JsonDocument.ParseValue(ref reader);
        if (doc.RootElement.ValueKind != JsonValueKind.Object
            || !doc.RootElement.TryGetProperty("symbols", out var symbols)
            || symbols.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException("exchangeInfo has no \"symbols\" array.");
        }

        var result = new List<ListedSymbol>(symbols.GetArrayLength());
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
                result.Add(new ListedSymbol(name, ReadStatus(entry)));
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

        return new ExchangeListing(result);
    }

    /// <summary>
    /// Every listed symbol, whatever its status (tools and tests); the feed, live or replayed, follows
    /// <see cref="ExchangeListing.Tradable"/>.
    /// </summary>
    public static IReadOnlyList<string> ReadSymbols(ReadOnlySpan<byte> json, ILogger logger) =>
        ReadListing(json, logger).Symbols.Select(s => s.Symbol).ToArray();

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

    // An unreadable status counts as TRADING: following a symbol that does not trade costs one idle stream, leaving out
    // one that does would lose its trades.
    private static string ReadStatus(JsonElement entry) =>
        entry.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String
            && TryGetString(status, out var value) && value.Length > 0
            ? value
            : DefaultStatus;
}

/// <summary>A symbol of exchangeInfo and its status.</summary>
internal sealed record ListedSymbol(string Symbol, string Status)
{
    /// <summary>True unless the symbol is in BREAK (HALT, END_OF_DAY and the like resume without a new listing).</summary>
    public bool IsTradable => !string.Equals(Status, ExchangeInfoReader.BreakStatus, StringComparison.Ordinal);
}

/// <summary>What exchangeInfo lists: every symbol with its status, the tradable ones, and how many BREAK ones were left out.</summary>
internal sealed class ExchangeListing
{
    /// <summary>Sorts <paramref name="symbols"/> into tradable ones and the BREAK ones left out.</summary>
    public ExchangeListing(IReadOnlyList<ListedSymbol> symbols)
    {
        Symbols = symbols;
        var tradable = new List<string>(symbols.Count);
        foreach (var s in symbols)
        {
            if (s.IsTradable)
            {
                tradable.Add(s.Symbol);
            }
        }

        Tradable = tradable;
        LeftOut = symbols.Count - tradable.Count;
    }

    /// <summary>Every symbol listed, in exchangeInfo's order.</summary>
    public IReadOnlyList<ListedSymbol> Symbols { get; }

    /// <summary>The symbols the feed follows: every status but BREAK, in exchangeInfo's order.</summary>
    public IReadOnlyList<string> Tradable { get; }

    /// <summary>BREAK symbols left out.</summary>
    public int LeftOut { get; }
}
