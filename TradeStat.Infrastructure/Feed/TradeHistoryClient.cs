using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using TradeStat.Domain.Feed;

namespace TradeStat.Infrastructure.Feed;

/// <summary>How a trade-history request ended.</summary>
internal enum HistoryStatus
{
    /// <summary>Answered; the rows may be empty.</summary>
    Ok,

    /// <summary>429 or 418: the REST governor now holds every call until the exchange's Retry-After; ask again later.</summary>
    Throttled,

    /// <summary>Refused for good (400: unknown symbol, bad parameters): the gap cannot be served.</summary>
    Refused,

    /// <summary>No usable answer (network, timeout, 5xx, unreadable body): ask again later.</summary>
    Failed,
}

/// <summary>
/// Trades <see cref="FirstId"/>..<see cref="LastId"/> (inclusive), all at <see cref="Price"/> units; one trade for
/// trades and historicalTrades, one aggregate for aggTrades (whose trades share the price by definition).
/// </summary>
internal readonly record struct HistoryRow(long FirstId, long LastId, long Price, long Time, long AggregateId);

/// <summary>One answer: its status and rows in ascending id order.</summary>
internal readonly record struct HistoryPage(HistoryStatus Status, IReadOnlyList<HistoryRow> Rows)
{
    public static HistoryPage Of(HistoryStatus status) => new(status, []);
}

/// <summary>
/// The exchange's trade history, three ways (every call goes through the REST governor's weight budget, registered on
/// this client's handler chain):
/// <c>aggTrades</c> (weight 4, a row per run of trades at one price; database, lags the stream),
/// <c>trades</c> (weight 25, the newest trades; memory, does not lag) and
/// <c>historicalTrades</c> (weight 25, by trade id; database, lags).
/// </summary>
internal sealed class TradeHistoryClient(HttpClient http, BinanceOptions options, ILogger<TradeHistoryClient> logger)
{
    /// <summary>
    /// Aggregates from <paramref name="fromAggregateId"/>, or in [<paramref name="startTime"/>, <paramref name="endTime"/>]
    /// (ms, under 1 h apart), or from <paramref name="startTime"/> on when <paramref name="endTime"/> is 0.
    /// </summary>
    public Task<HistoryPage> AggTradesAsync(string symbol, long? fromAggregateId, long startTime, long endTime, int limit, CancellationToken token)
    {
        var query = fromAggregateId is { } from
            ? $"/api/v3/aggTrades?symbol={Escape(symbol)}&fromId={from}&limit={limit}"
            : endTime > 0
                ? $"/api/v3/aggTrades?symbol={Escape(symbol)}&startTime={startTime}&endTime={endTime}&limit={limit}"
                : $"/api/v3/aggTrades?symbol={Escape(symbol)}&startTime={startTime}&limit={limit}";
        return GetAsync(symbol, query, HistoryFormat.Aggregates, token);
    }

    /// <summary>The newest <paramref name="limit"/> trades.</summary>
    public Task<HistoryPage> RecentTradesAsync(string symbol, int limit, CancellationToken token) =>
        GetAsync(symbol, $"/api/v3/trades?symbol={Escape(symbol)}&limit={limit}", HistoryFormat.Trades, token);

    /// <summary>Trades from id <paramref name="fromId"/> on.</summary>
    public Task<HistoryPage> HistoricalTradesAsync(string symbol, long fromId, int limit, CancellationToken token) =>
        GetAsync(symbol, $"/api/v3/historicalTrades?symbol={Escape(symbol)}&fromId={fromId}&limit={limit}", HistoryFormat.Trades, token);

    private async Task<HistoryPage> GetAsync(string symbol, string pathAndQuery, HistoryFormat format, CancellationToken token)
    {
        try
        {
            // The request itself is bounded once the REST governor lets it go (RestWeightHandler); the body here.
            using var response = await http.GetAsync(new Uri(options.RestBaseUrl, pathAndQuery), HttpCompletionOption.ResponseHeadersRead, token);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
            timeout.CancelAfter(options.RequestTimeout);
            if (response.StatusCode is HttpStatusCode.TooManyRequests or (HttpStatusCode)418)
            {
                return HistoryPage.Of(HistoryStatus.Throttled);
            }

            if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound)
            {
                var text = await response.Content.ReadAsStringAsync(timeout.Token);
                logger.LogWarning("{Symbol}: trade history refused ({Status}): {Body}", symbol, (int)response.StatusCode, text[..Math.Min(text.Length, 200)]);
                return HistoryPage.Of(HistoryStatus.Refused);
            }

            if (!response.IsSuccessStatusCode)
            {
                logger.LogWarning("{Symbol}: trade history answered {Status}; asking again later", symbol, (int)response.StatusCode);
                return HistoryPage.Of(HistoryStatus.Failed);
            }

            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            return Read(body, format, out var rows)
                ? new HistoryPage(HistoryStatus.Ok, rows)
                : HistoryPage.Of(HistoryStatus.Failed);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            logger.LogWarning("{Symbol}: trade history request failed ({Error}); asking again later", symbol, e.Message);
            return HistoryPage.Of(HistoryStatus.Failed);
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            logger.LogWarning("{Symbol}: trade history gave no answer within {Timeout}; asking again later", symbol, options.RequestTimeout);
            return HistoryPage.Of(HistoryStatus.Failed);
        }
    }

    /// <summary>The rows of an answer, sorted by id; false when the body is not a JSON array.</summary>
    internal static bool Read(ReadOnlySpan<byte> body, HistoryFormat format, out List<HistoryRow> rows)
    {
        rows = [];
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                if (ReadRow(ref reader, format, out var row))
                {
                    rows.Add(row);
                }
            }

            rows.Sort(static (a, b) => a.FirstId.CompareTo(b.FirstId));
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    // One object; unreadable rows are skipped (the gap's rest is then asked again or counted missed, never guessed).
    private static bool ReadRow(ref Utf8JsonReader reader, HistoryFormat format, out HistoryRow row)
    {
        long first = -1, last = -1, time = 0, aggregate = -1, price = 0;
        var priceOk = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            reader.Read();
            if (format == HistoryFormat.Trades)
            {
                if (name.SequenceEqual("id"u8) && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var id))
                {
                    first = last = id;
                    continue;
                }

                if (name.SequenceEqual("price"u8))
                {
                    priceOk = TryPrice(ref reader, out price);
                    continue;
                }

                if (name.SequenceEqual("time"u8) && reader.TokenType == JsonTokenType.Number)
                {
                    reader.TryGetInt64(out time);
                    continue;
                }
            }
            else if (name.Length == 1 && reader.TokenType is JsonTokenType.Number or JsonTokenType.String)
            {
                switch (name[0])
                {
                    case (byte)'a' when reader.TokenType == JsonTokenType.Number:
                        reader.TryGetInt64(out aggregate);
                        continue;
                    case (byte)'f' when reader.TokenType == JsonTokenType.Number:
                        reader.TryGetInt64(out first);
                        continue;
                    case (byte)'l' when reader.TokenType == JsonTokenType.Number:
                        reader.TryGetInt64(out last);
                        continue;
                    case (byte)'T' when reader.TokenType == JsonTokenType.Number:
                        reader.TryGetInt64(out time);
                        continue;
                    case (byte)'p':
                        priceOk = TryPrice(ref reader, out price);
                        continue;
                }
            }

            reader.Skip();
        }

        row = new HistoryRow(first, last, price, time, aggregate);
        return priceOk && first >= 0 && last >= first && (format == HistoryFormat.Trades || aggregate >= 0);
    }

    private static bool TryPrice(ref Utf8JsonReader reader, out long units)
    {
        units = 0;
        if (reader.TokenType != JsonTokenType.String)
        {
            return false;
        }

        if (!reader.ValueIsEscaped)
        {
            return ScaledPrice.TryParse(reader.ValueSpan, out units) == ScaledPrice.ParseError.None;
        }

        Span<byte> copy = stackalloc byte[64];
        try
        {
            return reader.ValueSpan.Length <= copy.Length
                && ScaledPrice.TryParse(copy[..reader.CopyString(copy)], out units) == ScaledPrice.ParseError.None;
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate escape is valid JSON that no string can hold.
            return false;
        }
    }

    private static string Escape(string symbol) => Uri.EscapeDataString(symbol);
}

/// <summary>The row shape of an answer.</summary>
internal enum HistoryFormat
{
    /// <summary><c>{"id","price","time",...}</c> (trades, historicalTrades).</summary>
    Trades,

    /// <summary><c>{"a","p","f","l","T",...}</c> (aggTrades).</summary>
    Aggregates,
}
