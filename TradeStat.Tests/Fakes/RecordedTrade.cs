using System.Text;
using System.Text.Json;

namespace TradeStat.Tests.Fakes;

/// <summary>
/// One trade as Binance streamed it: its symbol, id, price string and the exact combined-stream line. The trade time
/// (<c>"T"</c>), buyer-is-maker flag (<c>"m"</c>) and quantity (<c>"q"</c>) come from the line unless given, so that
/// aggregate trades can be built from the real recordings as well as from generated markets.
/// </summary>
public sealed record RecordedTrade
{
    public RecordedTrade(string symbol, long id, string price, string line, long? time = null, bool? buyerMaker = null, string? qty = null)
    {
        Symbol = symbol;
        Id = id;
        Price = price;
        Line = line;
        if (time is null || buyerMaker is null || qty is null)
        {
            var read = ReadLine(line);
            time ??= read.Time;
            buyerMaker ??= read.BuyerMaker;
            qty ??= read.Qty;
        }

        Time = time.Value;
        BuyerMaker = buyerMaker.Value;
        Qty = qty;
    }

    public string Symbol { get; init; }

    public long Id { get; init; }

    public string Price { get; init; }

    /// <summary>The combined-stream message sent for this trade, byte for byte.</summary>
    public string Line { get; init; }

    /// <summary>Trade time in Unix milliseconds (<c>"T"</c>); 0 when the line has none.</summary>
    public long Time { get; init; }

    /// <summary>Whether the buyer was the maker (<c>"m"</c>); false when the line has none.</summary>
    public bool BuyerMaker { get; init; }

    /// <summary>Quantity string (<c>"q"</c>); "1.00000000" when the line has none.</summary>
    public string Qty { get; init; }

    // Reads "T", "m" and "q" of the data object (or of the top level, for a raw-stream line). A line that is not JSON
    // (tests publish malformed ones on purpose) keeps the defaults.
    private static (long Time, bool BuyerMaker, string Qty) ReadLine(string line)
    {
        long time = 0;
        var maker = false;
        var qty = "1.00000000";
        try
        {
            using var doc = JsonDocument.Parse(Encoding.UTF8.GetBytes(line));
            var root = doc.RootElement;
            var data = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d : root;
            if (data.ValueKind != JsonValueKind.Object)
            {
                return (time, maker, qty);
            }

            if (data.TryGetProperty("T", out var t) && t.ValueKind == JsonValueKind.Number && t.TryGetInt64(out var ms))
            {
                time = ms;
            }

            if (data.TryGetProperty("m", out var m) && m.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                maker = m.GetBoolean();
            }

            if (data.TryGetProperty("q", out var q) && q.ValueKind == JsonValueKind.String)
            {
                qty = q.GetString()!;
            }
        }
        catch (JsonException)
        {
            // Not a JSON line: the defaults stand.
        }

        return (time, maker, qty);
    }
}

/// <summary>Something the fake does to a connection once it has sent a number of trades on it.</summary>
public sealed record FakeAction(FakeActionKind Kind, int AfterTrades);

/// <summary>Kinds of <see cref="FakeAction"/>.</summary>
public enum FakeActionKind
{
    /// <summary>Abort the TCP connection (no close handshake).</summary>
    Drop,

    /// <summary>Send the serverShutdown event, keep streaming for a grace period, then drop.</summary>
    ServerShutdown,

    /// <summary>Send the last trade again as one message padded with whitespace to <see cref="FakeBinanceExchange.HugeFrameBytes"/>.</summary>
    HugeFrame,
}
