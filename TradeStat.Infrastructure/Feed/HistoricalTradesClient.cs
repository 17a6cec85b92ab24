using System.Text.Json;
using Microsoft.Extensions.Logging;
using TradeStat.Domain.Feed;

namespace TradeStat.Infrastructure.Feed;

/// <summary>
/// Back-fills gaps in trade ids from <c>GET /api/v3/historicalTrades?symbol=&amp;fromId=&amp;limit=</c> (no key needed),
/// within a request budget per minute so that the REST weight limit is never reached.
/// </summary>
internal sealed class HistoricalTradesClient(HttpClient http, BinanceOptions options, TradeIngestor ingestor, TimeProvider time,
    ILogger<HistoricalTradesClient> logger)
{
    private readonly Queue<long> _requests = new();
    private readonly Lock _lock = new();

    /// <summary>Counts the trades [<paramref name="fromId"/>, <paramref name="toIdExclusive"/>) of a symbol; returns how many were recovered.</summary>
    public async Task<long> FillAsync(FeedSymbol state, long fromId, long toIdExclusive, CancellationToken cancellationToken)
    {
        var wanted = toIdExclusive - fromId;
        if (wanted <= 0 || wanted > options.MaxBackfillPerGap)
        {
            logger.LogWarning("{Symbol}: gap of {Gap} trades from id {From} is over Binance:MaxBackfillPerGap; not back-filled", state.Symbol, wanted, fromId);
            return 0;
        }

        long recovered = 0;
        var next = fromId;
        while (true)
        {
            // During a rotation overlap (or a reconnect) another connection may be delivering these very trades: start
            // from the first id still missing, and spend no request weight on what has arrived meanwhile.
            next = Math.Max(next, state.LastTradeId + 1);
            if (next >= toIdExclusive)
            {
                break;
            }

            if (!TryTakeRequest())
            {
                logger.LogWarning("{Symbol}: back-fill request budget exhausted; {Left} trades from id {From} not recovered", state.Symbol, toIdExclusive - next, next);
                break;
            }

            var limit = (int)Math.Min(options.BackfillPageSize, toIdExclusive - next);
            var uri = new Uri(options.RestBaseUrl, $"/api/v3/historicalTrades?symbol={Uri.EscapeDataString(state.Symbol)}&fromId={next}&limit={limit}");
            byte[] body;
            try
            {
                // The back-fill runs on the connection's receive loop, which must get back to reading (and answering
                // pings) well within Binance's one-minute pong deadline: each request is bounded by RequestTimeout, not
                // by HttpClient's 100 s, and a timeout loses this gap's rest rather than the whole connection.
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(options.RequestTimeout);
                using var response = await http.GetAsync(uri, timeout.Token);
                if (!response.IsSuccessStatusCode)
                {
                    logger.LogWarning("{Symbol}: historicalTrades answered {Status}; gap from id {From} not recovered", state.Symbol, (int)response.StatusCode, next);
                    break;
                }

                body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            }
            catch (HttpRequestException e)
            {
                logger.LogWarning(e, "{Symbol}: historicalTrades failed; gap from id {From} not recovered", state.Symbol, next);
                break;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("{Symbol}: historicalTrades gave no answer within {Timeout}; gap from id {From} not recovered", state.Symbol, options.RequestTimeout, next);
                break;
            }

            var progressed = false;
            foreach (var (id, price) in ReadTrades(body))
            {
                if (id < next || id >= toIdExclusive)
                {
                    continue;
                }

                if (ingestor.ApplyBackfilled(state, id, price))
                {
                    recovered++;
                }

                next = id + 1;
                progressed = true;
            }

            if (!progressed)
            {
                break;
            }
        }

        return recovered;
    }

    /// <summary>(id, price units) of each trade in a historicalTrades answer, in id order; unreadable entries skipped.</summary>
    internal static List<(long Id, long Price)> ReadTrades(byte[] body)
    {
        var trades = new List<(long, long)>();
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                return trades;
            }

            foreach (var t in doc.RootElement.EnumerateArray())
            {
                if (t.ValueKind == JsonValueKind.Object
                    && t.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out var tradeId)
                    && t.TryGetProperty("price", out var price) && price.ValueKind == JsonValueKind.String
                    && ExchangeInfoReader.TryGetString(price, out var text)
                    && ScaledPrice.TryParse(System.Text.Encoding.UTF8.GetBytes(text), out var units) == ScaledPrice.ParseError.None)
                {
                    trades.Add((tradeId, units));
                }
            }
        }
        catch (JsonException)
        {
            // An unreadable answer recovers nothing; the caller counts the gap as missed.
        }

        trades.Sort();
        return trades;
    }

    private bool TryTakeRequest()
    {
        lock (_lock)
        {
            var now = time.GetTimestamp();
            while (_requests.Count > 0 && time.GetElapsedTime(_requests.Peek(), now) >= TimeSpan.FromMinutes(1))
            {
                _requests.Dequeue();
            }

            if (_requests.Count >= options.MaxBackfillRequestsPerMinute)
            {
                return false;
            }

            _requests.Enqueue(now);
            return true;
        }
    }
}
