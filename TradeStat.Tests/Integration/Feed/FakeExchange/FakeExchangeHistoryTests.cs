using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using TradeStat.Tests.Fakes;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Integration.Feed.FakeExchange;

/// <summary>
/// The fake's market data endpoints over plain HTTP: historicalTrades and aggTrades read a database that lags the
/// tape by HistoryLag while trades reads memory; their parameters (fromId, startTime, endTime, limit) as Binance
/// documents them; and aggregate trades checked against a naive aggregation of the same trades, on generated markets
/// with several seeds and on the real recording.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class FakeExchangeHistoryTests
{
    private FakeBinanceExchange _exchange = null!;
    private HttpClient _http = null!;

    [TearDown]
    public async Task Stop()
    {
        _http?.Dispose();
        if (_exchange is not null)
        {
            await _exchange.DisposeAsync();
        }
    }

    [Test]
    public async Task The_database_endpoints_lag_by_HistoryLag_while_recent_trades_are_immediate()
    {
        var market = FakeMarket.Create(listed: 3, trading: 1, tradesPerSymbol: 40, seed: 3);
        var symbol = market.TradingSymbols[0];
        var clock = new ManualClock();
        await StartAsync(new FakeBinanceExchange(market, []) { Clock = clock, HistoryLag = TimeSpan.FromMilliseconds(500) });

        _exchange.Publish(10);
        (await TradeIdsAsync($"/api/v3/trades?symbol={symbol}")).Should().HaveCount(10, "recent trades come from memory");
        (await TradeIdsAsync($"/api/v3/historicalTrades?symbol={symbol}")).Should().BeEmpty("nothing reached the database yet");
        (await AggregatesAsync($"/api/v3/aggTrades?symbol={symbol}")).Should().BeEmpty();

        clock.Advance(TimeSpan.FromMilliseconds(499));
        (await TradeIdsAsync($"/api/v3/historicalTrades?symbol={symbol}")).Should().BeEmpty();

        clock.Advance(TimeSpan.FromMilliseconds(1));
        _exchange.Publish(10);
        var ids = market.Trades.Select(t => t.Id).ToArray();
        (await TradeIdsAsync($"/api/v3/historicalTrades?symbol={symbol}")).Should().Equal(ids[..10], "the first ten are 500 ms old");
        (await TradeIdsAsync($"/api/v3/trades?symbol={symbol}")).Should().Equal(ids[..20]);

        // aggTrades shows an aggregate only once all its trades are in the database.
        var visible = Naive(market.Trades[..10]).Where(a => a.Last - ids[0] < 10 && (a.Last - ids[0] < 9 || !SameAggregate(market.Trades[9], market.Trades[10]))).ToArray();
        (await AggregatesAsync($"/api/v3/aggTrades?symbol={symbol}")).Should().Equal(visible);

        clock.Advance(TimeSpan.FromMilliseconds(500));
        (await TradeIdsAsync($"/api/v3/historicalTrades?symbol={symbol}")).Should().Equal(ids[..20]);
    }

    [Test]
    public async Task On_the_real_clock_history_appears_only_after_the_lag()
    {
        var market = FakeMarket.Create(listed: 1, trading: 1, tradesPerSymbol: 5, seed: 4);
        var symbol = market.TradingSymbols[0];
        var lag = TimeSpan.FromMilliseconds(300);
        await StartAsync(new FakeBinanceExchange(market, []) { HistoryLag = lag });

        var clock = Stopwatch.StartNew();
        _exchange.PublishAll();
        var first = await TradeIdsAsync($"/api/v3/historicalTrades?symbol={symbol}");
        if (clock.Elapsed < lag)
        {
            first.Should().BeEmpty("the request was answered before the lag had passed");
        }

        (await TradeIdsAsync($"/api/v3/trades?symbol={symbol}")).Should().HaveCount(5);
        await Eventually.UntilAsync(async () => (await TradeIdsAsync($"/api/v3/historicalTrades?symbol={symbol}")).Length == 5,
            TimeSpan.FromSeconds(10), "the trades reach the database");
        clock.Elapsed.Should().BeGreaterThanOrEqualTo(lag);
    }

    [Test]
    public async Task Historical_trades_rows_fromId_limit_and_the_most_recent()
    {
        var market = FakeMarket.Create(listed: 2, trading: 1, tradesPerSymbol: 1200, seed: 5);
        var symbol = market.TradingSymbols[0];
        var trades = market.Trades;
        await StartAsync(new FakeBinanceExchange(market, []));
        _exchange.PublishAll();

        using (var doc = JsonDocument.Parse(await GetOkAsync($"/api/v3/historicalTrades?symbol={symbol}&fromId={trades[7].Id}&limit=2")))
        {
            var rows = doc.RootElement.EnumerateArray().ToArray();
            rows.Should().HaveCount(2);
            for (var i = 0; i < 2; i++)
            {
                var t = trades[7 + i];
                var row = rows[i];
                row.EnumerateObject().Select(p => p.Name).Should().Equal("id", "price", "qty", "quoteQty", "time", "isBuyerMaker", "isBestMatch");
                row.GetProperty("id").GetInt64().Should().Be(t.Id);
                row.GetProperty("price").GetString().Should().Be(t.Price);
                row.GetProperty("qty").GetString().Should().Be(t.Qty);
                decimal.Parse(row.GetProperty("quoteQty").GetString()!, CultureInfo.InvariantCulture)
                    .Should().Be(Math.Round(Dec(t.Price) * Dec(t.Qty), 8));
                row.GetProperty("time").GetInt64().Should().Be(t.Time);
                row.GetProperty("isBuyerMaker").GetBoolean().Should().Be(t.BuyerMaker);
                row.GetProperty("isBestMatch").GetBoolean().Should().BeTrue();
            }
        }

        var ids = trades.Select(t => t.Id).ToArray();
        (await TradeIdsAsync($"/api/v3/historicalTrades?symbol={symbol}")).Should().Equal(ids[^500..], "without fromId: the most recent, 500 by default");
        (await TradeIdsAsync($"/api/v3/historicalTrades?symbol={symbol}&limit=3")).Should().Equal(ids[^3..]);
        (await TradeIdsAsync($"/api/v3/historicalTrades?symbol={symbol}&fromId={ids[0]}&limit=5000")).Should().Equal(ids[..1000], "at most 1000");
        (await TradeIdsAsync($"/api/v3/historicalTrades?symbol={symbol}&fromId={ids[^1] + 1}")).Should().BeEmpty();
        (await TradeIdsAsync($"/api/v3/trades?symbol={symbol}&limit=4")).Should().Equal(ids[^4..], "the newest, ascending");
    }

    [Test]
    public async Task Unknown_symbols_are_refused_and_listed_symbols_without_trades_answer_empty()
    {
        var market = FakeMarket.Create(listed: 5, trading: 1, tradesPerSymbol: 3, seed: 6);
        await StartAsync(new FakeBinanceExchange(market, []));
        var idle = market.Symbols.First(s => market.Status[s] != "TRADING");
        foreach (var endpoint in new[] { "historicalTrades", "trades", "aggTrades" })
        {
            using var unknown = await _http.GetAsync($"/api/v3/{endpoint}?symbol=NOSUCHUSDT");
            unknown.StatusCode.Should().Be(HttpStatusCode.BadRequest);
            (await unknown.Content.ReadAsStringAsync()).Should().Be("""{"code":-1121,"msg":"Invalid symbol."}""");
            (await GetOkAsync($"/api/v3/{endpoint}?symbol={idle}")).Should().Be("[]");
        }

        using var missing = await _http.GetAsync("/api/v3/trades");
        missing.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await missing.Content.ReadAsStringAsync()).Should().Contain("-1102");
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(4)]
    [TestCase(5)]
    public async Task Aggregates_match_a_naive_aggregation_of_a_random_market(int seed)
    {
        var market = FakeMarket.Create(listed: 10, trading: 4, tradesPerSymbol: 600, seed: seed);
        await StartAsync(new FakeBinanceExchange(market, []));
        _exchange.PublishAll();
        foreach (var symbol in market.TradingSymbols)
        {
            var trades = market.Trades.Where(t => t.Symbol == symbol).ToArray();
            await CheckAggregatesAsync(symbol, trades);
        }
    }

    [Test]
    public async Task Aggregates_of_the_real_recording_match_a_naive_aggregation()
    {
        var trades = Recordings.RecordedTrades(Recordings.BtcUsdt);
        await StartAsync(new FakeBinanceExchange("""{"symbols":[{"symbol":"BTCUSDT"}]}"""u8.ToArray(), trades, []));
        _exchange.PublishAll();
        var aggregates = await CheckAggregatesAsync("BTCUSDT", trades);
        aggregates.Should().BeLessThan(trades.Length, "the recording has fills of one order at one price");
    }

    [Test]
    public async Task Aggregate_trades_fromId_startTime_endTime_and_limit()
    {
        var market = FakeMarket.Create(listed: 1, trading: 1, tradesPerSymbol: 400, seed: 8);
        var symbol = market.TradingSymbols[0];
        var reference = Naive(market.Trades);
        await StartAsync(new FakeBinanceExchange(market, []));
        _exchange.PublishAll();
        var url = $"/api/v3/aggTrades?symbol={symbol}";
        var middle = reference[reference.Length / 2];
        var late = reference[(reference.Length * 3) / 4];

        (await AggregatesAsync(url)).Should().Equal(reference[^Math.Min(500, reference.Length)..], "none of fromId, startTime, endTime: the most recent");
        (await AggregatesAsync(url + "&limit=7")).Should().Equal(reference[^7..]);
        (await AggregatesAsync($"{url}&fromId={middle.A}&limit=5")).Should().Equal(reference.Where(a => a.A >= middle.A).Take(5));
        (await AggregatesAsync($"{url}&startTime={middle.T}&limit=6")).Should().Equal(reference.Where(a => a.T >= middle.T).Take(6), "startTime is inclusive");
        (await AggregatesAsync($"{url}&startTime={middle.T}&endTime={late.T}&limit=1000")).Should().Equal(reference.Where(a => a.T >= middle.T && a.T <= late.T), "both inclusive");
        (await AggregatesAsync($"{url}&endTime={middle.T}&limit=4")).Should().Equal(reference.Where(a => a.T <= middle.T).TakeLast(4));
        (await AggregatesAsync($"{url}&startTime={middle.T}&endTime={middle.T + 3_599_999}&limit=1000")).Should().Equal(reference.Where(a => a.T >= middle.T));

        using var tooLong = await _http.GetAsync($"{url}&startTime={middle.T}&endTime={middle.T + 3_600_000}");
        tooLong.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await tooLong.Content.ReadAsStringAsync()).Should().Be("""{"code":-1127,"msg":"More than 1 hours between startTime and endTime."}""");
    }

    // Reads every aggregate of a symbol by fromId pages and checks it against the naive aggregation; returns how many.
    private async Task<int> CheckAggregatesAsync(string symbol, RecordedTrade[] trades)
    {
        var reference = Naive(trades);
        var served = new List<Aggregate>();
        var next = FakeBinanceExchange.AggregateIdBase;
        for (var page = 0; page < 1000; page++)
        {
            var rows = await AggregatesAsync($"/api/v3/aggTrades?symbol={symbol}&fromId={next}&limit=1000");
            if (rows.Length == 0)
            {
                break;
            }

            served.AddRange(rows);
            next = rows[^1].A + 1;
        }

        served.Should().Equal(reference, $"{symbol}: the aggregates of the naive reference");

        // And in their own terms: ids one by one, each a contiguous run of trade ids at one price, time and side, covering
        // every trade once, and no two neighbours that should have been one.
        var price = trades.ToDictionary(t => t.Id);
        var covered = new List<long>();
        for (var i = 0; i < served.Count; i++)
        {
            var a = served[i];
            a.A.Should().Be(FakeBinanceExchange.AggregateIdBase + i);
            for (var id = a.First; id <= a.Last; id++)
            {
                covered.Add(id);
                Dec(price[id].Price).Should().Be(Dec(a.P));
                price[id].Time.Should().Be(a.T);
                price[id].BuyerMaker.Should().Be(a.M);
            }

            Dec(a.Q).Should().Be(Enumerable.Range(0, (int)(a.Last - a.First + 1)).Sum(k => Dec(price[a.First + k].Qty)));
            if (i > 0 && served[i - 1].Last + 1 == a.First)
            {
                SameAggregate(price[served[i - 1].Last], price[a.First]).Should().BeFalse("neighbouring aggregates differ in price, time or side");
            }
        }

        covered.Should().Equal(trades.Select(t => t.Id), "reconstructing id -> price from the aggregates gives back every trade");
        return served.Count;
    }

    private static bool SameAggregate(RecordedTrade a, RecordedTrade b) =>
        b.Id == a.Id + 1 && Dec(a.Price) == Dec(b.Price) && a.Time == b.Time && a.BuyerMaker == b.BuyerMaker;

    // The reference: walk the trades in id order and start a new aggregate whenever the next trade cannot join.
    private static Aggregate[] Naive(RecordedTrade[] trades)
    {
        var result = new List<Aggregate>();
        var sorted = trades.OrderBy(t => t.Id).ToArray();
        var start = 0;
        for (var i = 1; i <= sorted.Length; i++)
        {
            if (i == sorted.Length || !SameAggregate(sorted[i - 1], sorted[i]))
            {
                var first = sorted[start];
                var qty = sorted[start..i].Sum(t => Dec(t.Qty));
                result.Add(new Aggregate(FakeBinanceExchange.AggregateIdBase + result.Count, first.Price,
                    qty.ToString("F8", CultureInfo.InvariantCulture), first.Id, sorted[i - 1].Id, first.Time, first.BuyerMaker));
                start = i;
            }
        }

        return [.. result];
    }

    private static decimal Dec(string text) => decimal.Parse(text, CultureInfo.InvariantCulture);

    private async Task StartAsync(FakeBinanceExchange exchange)
    {
        _exchange = exchange;
        await _exchange.StartAsync();
        _http = new HttpClient { BaseAddress = _exchange.RestBaseUrl };
    }

    private async Task<string> GetOkAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, body);
        return body;
    }

    private async Task<long[]> TradeIdsAsync(string path)
    {
        using var doc = JsonDocument.Parse(await GetOkAsync(path));
        return doc.RootElement.EnumerateArray().Select(r => r.GetProperty("id").GetInt64()).ToArray();
    }

    private async Task<Aggregate[]> AggregatesAsync(string path)
    {
        using var doc = JsonDocument.Parse(await GetOkAsync(path));
        return doc.RootElement.EnumerateArray().Select(r =>
        {
            r.EnumerateObject().Select(p => p.Name).Should().Equal("a", "p", "q", "f", "l", "T", "m", "M");
            r.GetProperty("M").GetBoolean().Should().BeTrue();
            return new Aggregate(r.GetProperty("a").GetInt64(), r.GetProperty("p").GetString()!, r.GetProperty("q").GetString()!,
                r.GetProperty("f").GetInt64(), r.GetProperty("l").GetInt64(), r.GetProperty("T").GetInt64(), r.GetProperty("m").GetBoolean());
        }).ToArray();
    }

    private sealed record Aggregate(long A, string P, string Q, long First, long Last, long T, bool M);
}
