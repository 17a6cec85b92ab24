using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace TradeStat.Tests.Fakes;

// The REST side: request weights per IP per fixed window, 429 / 418 with Retry-After, and the market data endpoints.
public sealed partial class FakeBinanceExchange
{
    /// <summary>The header carrying the weight used in the current window (Binance names it after its one-minute window).</summary>
    public const string UsedWeightHeader = "X-MBX-USED-WEIGHT-1M";

    // Request weights as Binance documents them for these parameters.
    private static readonly Dictionary<string, int> Weights = new(StringComparer.Ordinal)
    {
        ["/api/v3/exchangeInfo"] = 20,
        ["/api/v3/historicalTrades"] = 25,
        ["/api/v3/trades"] = 25,
        ["/api/v3/aggTrades"] = 4,
    };

    private readonly Dictionary<string, IpBudget> _budgets = new(StringComparer.Ordinal);
    private DateTimeOffset _origin;
    private ListedSymbols? _listed;
    private int _exchangeInfoRequests;
    private int _historicalRequests;
    private int _tradesRequests;
    private int _aggTradesRequests;
    private int _answers429;
    private int _answers418;
    private int _requestsDuringBan;
    private int _bans;
    private int _maxWindowWeight;
    private long _weightCharged;

    /// <summary>GET /api/v3/exchangeInfo requests received (every answer: 200, 429 or 418).</summary>
    public int ExchangeInfoRequests => Volatile.Read(ref _exchangeInfoRequests);

    /// <summary>GET /api/v3/historicalTrades requests received.</summary>
    public int HistoricalRequests => Volatile.Read(ref _historicalRequests);

    /// <summary>GET /api/v3/trades requests received.</summary>
    public int TradesRequests => Volatile.Read(ref _tradesRequests);

    /// <summary>GET /api/v3/aggTrades requests received.</summary>
    public int AggTradesRequests => Volatile.Read(ref _aggTradesRequests);

    /// <summary>429 answers: requests that would have taken the window's weight over <see cref="WeightLimit"/>.</summary>
    public int Answers429 => Volatile.Read(ref _answers429);

    /// <summary>418 answers: the request that earned a ban, and every request during one.</summary>
    public int Answers418 => Volatile.Read(ref _answers418);

    /// <summary>Requests that arrived while their IP was banned.</summary>
    public int RequestsDuringBan => Volatile.Read(ref _requestsDuringBan);

    /// <summary>Bans imposed (requests sent before a 429's Retry-After had passed).</summary>
    public int Bans => Volatile.Read(ref _bans);

    /// <summary>The largest weight charged to one IP within one window.</summary>
    public int MaxWindowWeight => Volatile.Read(ref _maxWindowWeight);

    /// <summary>All weight charged (429 and 418 answers charge nothing).</summary>
    public long WeightCharged => Interlocked.Read(ref _weightCharged);

    /// <summary>The weight <paramref name="ip"/> has used in the current window.</summary>
    public int UsedWeight(string ip = "127.0.0.1")
    {
        lock (_budgets)
        {
            return _budgets.TryGetValue(ip, out var budget) && budget.Window == WindowAt(Clock.GetUtcNow()) ? budget.Used : 0;
        }
    }

    private long WindowAt(DateTimeOffset now) => Math.Max(0, (now - _origin).Ticks) / WeightWindow.Ticks;

    private async Task RestAsync(HttpContext context)
    {
        if (RestLatency > TimeSpan.Zero)
        {
            // A far exchange: the answer is computed once the request has crossed the distance.
            await Task.Delay(RestLatency, context.RequestAborted);
        }

        var path = context.Request.Path.Value ?? "";
        if (!Weights.TryGetValue(path, out var weight))
        {
            context.Response.StatusCode = 404;
            return;
        }

        if (!HttpMethods.IsGet(context.Request.Method))
        {
            context.Response.StatusCode = 405;
            return;
        }

        switch (path)
        {
            case "/api/v3/exchangeInfo":
                Interlocked.Increment(ref _exchangeInfoRequests);
                break;
            case "/api/v3/historicalTrades":
                Interlocked.Increment(ref _historicalRequests);
                break;
            case "/api/v3/trades":
                Interlocked.Increment(ref _tradesRequests);
                break;
            default:
                Interlocked.Increment(ref _aggTradesRequests);
                break;
        }

        var verdict = Charge(context.Connection.RemoteIpAddress?.ToString() ?? "", weight);
        context.Response.Headers[UsedWeightHeader] = verdict.Used.ToString(CultureInfo.InvariantCulture);
        if (verdict.RetryAfterSeconds > 0)
        {
            context.Response.Headers.RetryAfter = verdict.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            var message = verdict.Banned
                ? $"Way too much request weight used; IP banned until {verdict.BannedUntil.ToUnixTimeMilliseconds()}. Please use WebSocket Streams for live updates to avoid bans."
                : $"Too much request weight used; current limit is {WeightLimit} request weight per {WindowText()}. Please use WebSocket Streams for live updates to avoid polling the API.";
            await WriteErrorAsync(context, verdict.Banned ? 418 : 429, -1003, message);
            return;
        }

        var query = context.Request.Query;
        switch (path)
        {
            case "/api/v3/exchangeInfo":
                _exchangeInfoQueries.Enqueue(context.Request.QueryString.HasValue ? context.Request.QueryString.Value![1..] : "");
                context.Response.ContentType = "application/json;charset=UTF-8";
                await context.Response.Body.WriteAsync(ExchangeInfo);
                return;
            case "/api/v3/historicalTrades":
                await HistoricalTradesAsync(context, query);
                return;
            case "/api/v3/trades":
                await RecentTradesAsync(context, query);
                return;
            default:
                await AggTradesAsync(context, query);
                return;
        }
    }

    private string WindowText() => WeightWindow == TimeSpan.FromMinutes(1) ? "1 MINUTE" : $"{WeightWindow.TotalSeconds:0.###} SECOND";

    // Binance's rules, per IP: weight is charged within fixed windows; a request that would go over the limit is refused
    // with 429 and a Retry-After that runs to the window's end; a request before that Retry-After has passed earns a ban
    // (418), twice as long as the IP's previous one; during a ban everything is refused with the time left.
    private Verdict Charge(string ip, int weight)
    {
        var now = Clock.GetUtcNow();
        lock (_budgets)
        {
            if (!_budgets.TryGetValue(ip, out var budget))
            {
                budget = new IpBudget();
                _budgets[ip] = budget;
            }

            var window = WindowAt(now);
            if (window != budget.Window)
            {
                budget.Window = window;
                budget.Used = 0;
            }

            if (now < budget.BannedUntil)
            {
                _answers418++;
                _requestsDuringBan++;
                return new Verdict(budget.Used, Seconds(budget.BannedUntil - now), Banned: true, budget.BannedUntil);
            }

            if (now < budget.RetryUntil)
            {
                budget.Bans++;
                var length = BanDuration * Math.Pow(2, Math.Min(budget.Bans - 1, 30));
                if (length > MaxBanDuration)
                {
                    length = MaxBanDuration;
                }

                budget.BannedUntil = now + length;
                budget.RetryUntil = DateTimeOffset.MinValue;
                _bans++;
                _answers418++;
                return new Verdict(budget.Used, Seconds(length), Banned: true, budget.BannedUntil);
            }

            if (budget.Used + weight > WeightLimit)
            {
                var windowEnd = _origin + (WeightWindow * (window + 1));
                var retryAfter = Seconds(windowEnd - now);
                budget.RetryUntil = now + TimeSpan.FromSeconds(retryAfter);
                _answers429++;
                return new Verdict(budget.Used, retryAfter, Banned: false, default);
            }

            budget.Used += weight;
            Interlocked.Add(ref _weightCharged, weight);
            _maxWindowWeight = Math.Max(_maxWindowWeight, budget.Used);
            return new Verdict(budget.Used, 0, Banned: false, default);
        }
    }

    // Whole seconds, rounded up, at least 1: waiting that long is always enough.
    private static long Seconds(TimeSpan span) => Math.Max(1, (long)Math.Ceiling(span.TotalSeconds - 1e-9));

    private async Task HistoricalTradesAsync(HttpContext context, IQueryCollection query)
    {
        if (await ReadMarketQueryAsync(context, query, ["fromId"]) is not { } request)
        {
            return;
        }

        var tape = request.Tape;
        var visible = tape?.VisibleInDatabase(Clock.GetUtcNow().UtcTicks, HistoryLag) ?? 0;
        int from, to;
        if (request.FromId is { } fromId)
        {
            from = Math.Min(tape?.IndexOfId(fromId) ?? 0, visible);
            to = (int)Math.Min(visible, (long)from + request.Limit);
        }
        else
        {
            to = visible;
            from = Math.Max(0, to - request.Limit);
        }

        await WriteTradesAsync(context, tape, from, to);
    }

    private async Task RecentTradesAsync(HttpContext context, IQueryCollection query)
    {
        if (await ReadMarketQueryAsync(context, query, []) is not { } request)
        {
            return;
        }

        // Memory, not the database: every published trade at once.
        var to = request.Tape?.Published ?? 0;
        await WriteTradesAsync(context, request.Tape, Math.Max(0, to - request.Limit), to);
    }

    private async Task AggTradesAsync(HttpContext context, IQueryCollection query)
    {
        if (await ReadMarketQueryAsync(context, query, ["fromId", "startTime", "endTime"]) is not { } request)
        {
            return;
        }

        if (request.StartTime is { } s && request.EndTime is { } e && e - s >= 3_600_000)
        {
            await WriteErrorAsync(context, 400, -1127, "More than 1 hours between startTime and endTime.");
            return;
        }

        var tape = request.Tape;
        var rows = new List<int>();
        if (tape is not null)
        {
            var visible = tape.VisibleAggregates(tape.VisibleInDatabase(Clock.GetUtcNow().UtcTicks, HistoryLag));
            bool InTime(int a)
            {
                var t = tape.Trades[tape.AggregateFirst[a]].Time;
                return (request.StartTime is not { } start || t >= start) && (request.EndTime is not { } end || t <= end);
            }

            if (request.FromId is not null || request.StartTime is not null)
            {
                // From the first aggregate at or after fromId / startTime, ascending.
                var first = request.FromId is { } fromId ? (int)Math.Clamp(fromId - tape.AggregateIdBase, 0, visible) : 0;
                for (var a = first; a < visible && rows.Count < request.Limit; a++)
                {
                    if (InTime(a))
                    {
                        rows.Add(a);
                    }
                    else if (request.EndTime is { } end && tape.Trades[tape.AggregateFirst[a]].Time > end)
                    {
                        break;
                    }
                }
            }
            else
            {
                // Only endTime, or nothing: the most recent ones (up to endTime).
                for (var a = visible - 1; a >= 0 && rows.Count < request.Limit; a--)
                {
                    if (InTime(a))
                    {
                        rows.Add(a);
                    }
                }

                rows.Reverse();
            }
        }

        await WriteJsonAsync(context, 200, w =>
        {
            w.WriteStartArray();
            foreach (var a in rows)
            {
                var first = tape!.AggregateFirst[a];
                var trade = tape.Trades[first];
                w.WriteStartObject();
                w.WriteNumber("a", tape.AggregateIdBase + a);
                w.WriteString("p", trade.Price);
                w.WriteString("q", tape.AggregateQty[a]);
                w.WriteNumber("f", trade.Id);
                w.WriteNumber("l", tape.Trades[tape.AggregateLast[a]].Id);
                w.WriteNumber("T", trade.Time);
                w.WriteBoolean("m", trade.BuyerMaker);
                w.WriteBoolean("M", true);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    private static Task WriteTradesAsync(HttpContext context, SymbolTape? tape, int from, int to) =>
        WriteJsonAsync(context, 200, w =>
        {
            w.WriteStartArray();
            for (var i = from; i < to; i++)
            {
                var t = tape!.Trades[i];
                w.WriteStartObject();
                w.WriteNumber("id", t.Id);
                w.WriteString("price", t.Price);
                w.WriteString("qty", t.Qty);
                w.WriteString("quoteQty", SymbolTape.Format8(tape.Prices[i] * tape.Qtys[i]));
                w.WriteNumber("time", t.Time);
                w.WriteBoolean("isBuyerMaker", t.BuyerMaker);
                w.WriteBoolean("isBestMatch", true);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });

    /// <summary>
    /// symbol (mandatory, listed), limit (default 500, at most 1000) and the optional numeric parameters; on a bad one the
    /// error is written and null returned.
    /// </summary>
    private async Task<MarketQuery?> ReadMarketQueryAsync(HttpContext context, IQueryCollection query, string[] numbers)
    {
        var symbol = query["symbol"].ToString();
        if (symbol.Length == 0)
        {
            await WriteErrorAsync(context, 400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
            return null;
        }

        var values = new Dictionary<string, long?>(StringComparer.Ordinal);
        foreach (var name in numbers.Append("limit"))
        {
            var text = query[name].ToString();
            if (text.Length == 0)
            {
                values[name] = null;
                continue;
            }

            if (text.Length > 20 || !text.All(char.IsAsciiDigit) || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                await WriteErrorAsync(context, 400, -1100, $"Illegal characters found in parameter '{name}'; legal range is '^[0-9]{{1,20}}$'.");
                return null;
            }

            values[name] = value;
        }

        var tape = _tapes.GetValueOrDefault(symbol);
        if (tape is null && !ListedSymbolsNow().Contains(symbol))
        {
            await WriteErrorAsync(context, 400, -1121, "Invalid symbol.");
            return null;
        }

        var limit = (int)Math.Clamp(values["limit"] ?? 500, 1, 1000);
        return new MarketQuery(tape, limit, values.GetValueOrDefault("fromId"), values.GetValueOrDefault("startTime"), values.GetValueOrDefault("endTime"));
    }

    /// <summary>The symbols of the current exchangeInfo answer (parsed once per answer).</summary>
    private HashSet<string> ListedSymbolsNow()
    {
        var bytes = ExchangeInfo;
        var cached = Volatile.Read(ref _listed);
        if (cached is not null && ReferenceEquals(cached.Source, bytes))
        {
            return cached.Symbols;
        }

        var symbols = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("symbols", out var list)
                && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var entry in list.EnumerateArray())
                {
                    if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("symbol", out var name) && name.ValueKind == JsonValueKind.String)
                    {
                        symbols.Add(name.GetString()!);
                    }
                }
            }
        }
        catch (JsonException)
        {
            // A broken exchangeInfo (tests serve some on purpose) lists nothing.
        }

        Volatile.Write(ref _listed, new ListedSymbols(bytes, symbols));
        return symbols;
    }

    private static Task WriteErrorAsync(HttpContext context, int status, int code, string message) =>
        WriteJsonAsync(context, status, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("code", code);
            w.WriteString("msg", message);
            w.WriteEndObject();
        });

    private static async Task WriteJsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json;charset=UTF-8";
        await context.Response.Body.WriteAsync(buffer.WrittenMemory);
    }

    private sealed class IpBudget
    {
        public long Window { get; set; } = -1;

        public int Used { get; set; }

        /// <summary>Until when the last 429's Retry-After runs: a request before then is banned.</summary>
        public DateTimeOffset RetryUntil { get; set; } = DateTimeOffset.MinValue;

        public DateTimeOffset BannedUntil { get; set; } = DateTimeOffset.MinValue;

        public int Bans { get; set; }
    }

    private readonly record struct Verdict(int Used, long RetryAfterSeconds, bool Banned, DateTimeOffset BannedUntil);

    private sealed record MarketQuery(SymbolTape? Tape, int Limit, long? FromId, long? StartTime, long? EndTime);

    private sealed record ListedSymbols(byte[] Source, HashSet<string> Symbols);
}
