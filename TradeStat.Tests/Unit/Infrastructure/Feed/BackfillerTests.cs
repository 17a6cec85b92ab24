using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using TradeStat.Infrastructure.Feed;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Unit.Infrastructure.Feed;

/// <summary>
/// The back-fill against a stub of the exchange's trade history (aggTrades, trades, historicalTrades, with a database
/// that lags): which source serves a gap, that a lagging answer is asked again rather than given up, and that every trade
/// ends counted exactly once or honestly missed.
/// </summary>
[TestFixture]
[Category("Unit")]
public sealed class BackfillerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Test]
    public async Task A_gap_is_filled_from_aggregates_at_a_fraction_of_the_weight()
    {
        var history = new HistoryStub(Market(600, seed: 1));
        await using var run = Start(history, new BinanceOptions());
        Live(run.State, history, 1, 100);
        Live(run.State, history, 450, 460);

        await run.UntilClosedAsync();

        history.Paths.Should().OnlyContain(p => p == "/api/v3/aggTrades", "aggregates weigh 4; trades and historicalTrades 25");
        history.Paths.Count.Should().BeLessThanOrEqualTo(2);
        run.ShouldHaveCountedExactly(history, 1, 460);
    }

    [Test]
    public async Task A_gap_the_history_does_not_serve_yet_is_asked_again_not_given_up()
    {
        var history = new HistoryStub(Market(300, seed: 2)) { DatabaseUpTo = 100 };
        await using var run = Start(history, new BinanceOptions { LaggingAttemptsBeforeRecentTrades = 100 });
        Live(run.State, history, 1, 100);
        Live(run.State, history, 200, 210);

        await Eventually.UntilAsync(() => history.Paths.Count >= 3, Timeout, "the lagging history asked again");
        run.State.Snapshot().Missed.Should().Be(0);
        run.State.IsFilling.Should().BeTrue();
        history.DatabaseUpTo = long.MaxValue;

        await run.UntilClosedAsync();
        run.ShouldHaveCountedExactly(history, 1, 210);
    }

    [Test]
    public async Task At_the_live_edge_the_recent_trades_serve_what_the_lagging_history_lacks()
    {
        var history = new HistoryStub(Market(300, seed: 3)) { DatabaseUpTo = 150 };
        await using var run = Start(history, new BinanceOptions { LaggingAttemptsBeforeRecentTrades = 1 });
        Live(run.State, history, 1, 100);
        Live(run.State, history, 290, 300);

        await run.UntilClosedAsync();

        history.Paths.Should().Contain("/api/v3/trades");
        run.ShouldHaveCountedExactly(history, 1, 300);
    }

    [Test]
    public async Task Without_the_time_of_the_last_trade_historicalTrades_serves_the_gap()
    {
        var history = new HistoryStub(Market(300, seed: 4));
        await using var run = Start(history, new BinanceOptions { BackfillPageSize = 50 });
        Live(run.State, history, 1, 100, withTime: false);
        Live(run.State, history, 250, 260, withTime: false);

        await run.UntilClosedAsync();

        history.Paths.Should().OnlyContain(p => p == "/api/v3/historicalTrades");
        history.Queries.Should().Contain(q => q.Contains("fromId=101", StringComparison.Ordinal));
        run.ShouldHaveCountedExactly(history, 1, 260);
    }

    [Test]
    public async Task A_refused_gap_is_counted_missed_for_its_symbol_and_the_held_trades_still_count()
    {
        var history = new HistoryStub(Market(300, seed: 5)) { Status = HttpStatusCode.BadRequest };
        await using var run = Start(history, new BinanceOptions());
        Live(run.State, history, 1, 100);
        Live(run.State, history, 150, 160);

        await run.UntilClosedAsync();

        var s = run.State.Snapshot();
        (s.Count, s.Missed).Should().Be((111L, 49L));
        run.Metrics.Missed.Should().Be(49);
    }

    [Test]
    public async Task An_exchange_that_does_not_answer_for_longer_than_BackfillGiveUpAfter_does_not_lose_the_gap()
    {
        // Failures (network, timeouts, 5xx) and throttling are no sign that the trades cannot be served: only answers
        // without them for BackfillGiveUpAfter are.
        var history = new HistoryStub(Market(300, seed: 9)) { Status = HttpStatusCode.ServiceUnavailable };
        await using var run = Start(history, new BinanceOptions { BackfillGiveUpAfter = TimeSpan.FromMilliseconds(100) });
        Live(run.State, history, 1, 100);
        Live(run.State, history, 200, 200);

        await Eventually.UntilAsync(() => history.Paths.Count >= 5, Timeout, "failed answers asked again");
        run.State.Snapshot().Missed.Should().Be(0);
        history.Status = HttpStatusCode.OK;

        await run.UntilClosedAsync();
        run.ShouldHaveCountedExactly(history, 1, 200);
    }

    [Test]
    public async Task Answers_without_the_gap_for_BackfillGiveUpAfter_give_it_up_and_the_held_trades_count()
    {
        var history = new HistoryStub(Market(300, seed: 10)) { DatabaseUpTo = 100 };
        await using var run = Start(history, new BinanceOptions
        {
            BackfillGiveUpAfter = TimeSpan.FromMilliseconds(200),
            LaggingAttemptsBeforeRecentTrades = 100,
        });
        Live(run.State, history, 1, 100);
        Live(run.State, history, 150, 160);

        await run.UntilClosedAsync();

        var s = run.State.Snapshot();
        (s.Count, s.Missed).Should().Be((111L, 49L));
    }

    [Test]
    public async Task Ids_the_history_skips_are_missed_and_the_rest_of_the_gap_still_counts()
    {
        var history = new HistoryStub(Market(300, seed: 11)) { Missing = [120, 121, 180] };
        await using var run = Start(history, new BinanceOptions());
        Live(run.State, history, 1, 100);
        Live(run.State, history, 250, 260);

        await run.UntilClosedAsync();

        var s = run.State.Snapshot();
        (s.Count, s.Missed).Should().Be((257L, 3L));
        history.Paths.Count.Should().BeLessThanOrEqualTo(2);
    }

    [Test]
    public async Task A_gap_spanning_many_hours_is_asked_by_trade_id_not_hour_by_hour()
    {
        var history = new HistoryStub(Market(300, seed: 12, hoursBefore: 101));
        await using var run = Start(history, new BinanceOptions());
        Live(run.State, history, 1, 100);
        Live(run.State, history, 250, 250);

        await run.UntilClosedAsync();

        history.Paths.Should().OnlyContain(p => p == "/api/v3/historicalTrades");
        run.ShouldHaveCountedExactly(history, 1, 250);
    }

    [Test]
    public async Task An_anchored_symbol_counts_every_trade_since_its_anchor_time()
    {
        // Restored from a checkpoint written before its first trade: the trades since the checkpoint's time were
        // counted by the process that died, and must be counted again, from the first one at or after that time.
        var history = new HistoryStub(Market(300, seed: 13));
        await using var run = Start(history, new BinanceOptions());
        run.State.Anchor(history.Trades[99].Time);
        var first = history.Trades.First(t => t.Time >= history.Trades[99].Time).Id;
        Live(run.State, history, 200, 210);

        await run.UntilClosedAsync();

        run.ShouldHaveCountedExactly(history, first, 210);
    }

    [Test]
    public async Task An_anchored_symbol_quiet_for_hours_still_counts_every_trade_since_its_anchor()
    {
        // Anchored, then 101 quiet hours before trade 101: the walk of the first hours finds nothing, the open-ended
        // request finds trade 101.
        var history = new HistoryStub(Market(300, seed: 15, hoursBefore: 101));
        await using var run = Start(history, new BinanceOptions());
        run.State.Anchor(history.Trades[99].Time + 1);
        Live(run.State, history, 250, 260);

        await run.UntilClosedAsync();

        run.ShouldHaveCountedExactly(history, 101, 260);
    }

    [Test]
    public async Task An_anchored_symbol_without_earlier_trades_counts_from_its_first_live_one()
    {
        var history = new HistoryStub(Market(300, seed: 14));
        await using var run = Start(history, new BinanceOptions());
        run.State.Anchor(history.Trades[199].Time + 1);
        Live(run.State, history, 201, 210);

        await run.UntilClosedAsync();

        run.ShouldHaveCountedExactly(history, 201, 210);
    }

    [Test]
    public async Task A_gap_over_MaxBackfillPerGap_is_missed_without_a_request()
    {
        var history = new HistoryStub(Market(300, seed: 6));
        await using var run = Start(history, new BinanceOptions { MaxBackfillPerGap = 10 });
        Live(run.State, history, 1, 100);
        Live(run.State, history, 150, 150);

        await run.UntilClosedAsync();

        history.Paths.Should().BeEmpty();
        run.State.Snapshot().Missed.Should().Be(49);
    }

    [Test]
    public async Task A_gap_another_connection_closes_meanwhile_costs_no_request()
    {
        // Rotation overlap: the new connection sees 105 first; the old one still delivers 101–104 before the back-fill's
        // first pass (BackfillDelay). They are held like any live trade, and the pass finds nothing left to ask.
        var history = new HistoryStub(Market(300, seed: 7));
        await using var run = Start(history, new BinanceOptions { BackfillDelay = TimeSpan.FromMilliseconds(200) });
        Live(run.State, history, 1, 100);
        Live(run.State, history, 105, 105);
        Live(run.State, history, 101, 104);

        await run.UntilClosedAsync();

        history.Paths.Should().BeEmpty();
        run.ShouldHaveCountedExactly(history, 1, 105);
    }

    [Test]
    public async Task A_stalled_answer_is_bounded_by_RequestTimeout_and_asked_again()
    {
        var history = new HistoryStub(Market(300, seed: 8)) { StallFirst = 1 };
        await using var run = Start(history, new BinanceOptions { RequestTimeout = TimeSpan.FromMilliseconds(200) });
        Live(run.State, history, 1, 100);
        Live(run.State, history, 200, 200);

        await run.UntilClosedAsync();

        history.Paths.Count.Should().BeGreaterThanOrEqualTo(2);
        run.ShouldHaveCountedExactly(history, 1, 200);
    }

    [Test]
    public async Task Every_trade_counts_exactly_once_whatever_the_gaps_hold_bound_page_size_and_lag([Range(1, 12)] int run)
    {
        var random = new Random(run);
        var total = random.Next(200, 1500);
        var history = new HistoryStub(Market(total, seed: 100 + run)) { DatabaseUpTo = random.Next(0, total) };
        var options = new BinanceOptions
        {
            BackfillPageSize = random.Next(1, 300),
            LaggingAttemptsBeforeRecentTrades = random.Next(0, 4),
            MaxHeldTradesPerSymbol = random.Next(1, 50),
        };
        await using var running = Start(history, options);

        // Live: runs of delivered trades with holes, some delivered twice.
        var id = 1;
        while (id <= total)
        {
            var run_ = random.Next(1, 60);
            var end = Math.Min(total, id + run_ - 1);
            Live(running.State, history, id, end, withTime: random.NextDouble() < 0.9);
            if (random.NextDouble() < 0.2)
            {
                Live(running.State, history, Math.Max(1, id - 5), end);
            }

            id = end + 1 + (random.NextDouble() < 0.5 ? random.Next(1, 200) : 0);
            if (random.NextDouble() < 0.3)
            {
                history.DatabaseUpTo = Math.Min(long.MaxValue - 1, history.DatabaseUpTo + random.Next(0, 400));
            }
        }

        Live(running.State, history, total, total);
        history.DatabaseUpTo = long.MaxValue;

        await running.UntilClosedAsync();
        running.ShouldHaveCountedExactly(history, 1, total);
    }

    private static IReadOnlyList<(long Id, long Price, long Time)> Market(int count, int seed, int hoursBefore = 0)
    {
        var random = new Random(seed);
        var trades = new List<(long, long, long)>(count);
        var price = 1_000L;
        var time = 1_700_000_000_000L;
        for (var id = 1; id <= count; id++)
        {
            // Repeated prices and times make runs that aggregate into one row.
            if (random.NextDouble() < 0.4)
            {
                price = Math.Max(1, price + random.Next(-3, 4));
            }

            if (random.NextDouble() < 0.5)
            {
                time += random.Next(1, 5_000);
            }

            if (id == 101)
            {
                // A quiet symbol: hours without a trade before the 101st.
                time += hoursBefore * 3_600_000L;
            }

            trades.Add((id, price * 1_000_000, time));
        }

        return trades;
    }

    private static void Live(FeedSymbol state, HistoryStub history, long from, long to, bool withTime = true)
    {
        for (var id = from; id <= to; id++)
        {
            var t = history.Trades[(int)id - 1];
            if (state.Apply(t.Id, t.Price, withTime ? t.Time : 0).Result == TradeResult.Gap)
            {
                history.Backfiller?.Enqueue(state);
            }
        }
    }

    private static Running Start(HistoryStub history, BinanceOptions options)
    {
        options.RestBaseUrl = new Uri("http://127.0.0.1:1");
        if (options.BackfillDelay == TimeSpan.FromSeconds(2))
        {
            options.BackfillDelay = TimeSpan.FromMilliseconds(5);
        }

        options.BackfillRetryMaxDelay = TimeSpan.FromMilliseconds(50);
        var book = new FeedBook(new FeedBookOptions { MaxHeldTradesPerSymbol = options.MaxHeldTradesPerSymbol });
        var metrics = new FeedMetrics();
        var ingestor = new TradeIngestor(book, metrics, NullLogger<TradeIngestor>.Instance, options, TimeProvider.System);
        // The chain the service registers: every request through the REST governor, bounded once it is let go.
        var governor = new RestGovernor(options, metrics, TimeProvider.System, NullLogger<RestGovernor>.Instance);
        var chain = new RestWeightHandler(governor, TimeProvider.System, options.RequestTimeout) { InnerHandler = history };
        var client = new TradeHistoryClient(new HttpClient(chain) { Timeout = System.Threading.Timeout.InfiniteTimeSpan }, options,
            NullLogger<TradeHistoryClient>.Instance);
        var backfiller = new Backfiller(options, client, ingestor, TimeProvider.System, NullLogger<Backfiller>.Instance);
        history.Backfiller = backfiller;
        var stop = new CancellationTokenSource();
        var state = new FeedSymbol("BTCUSDT", 100_000, options.MaxHeldTradesPerSymbol);
        return new Running(state, metrics, backfiller, backfiller.RunAsync(stop.Token), stop);
    }

    private sealed record Running(FeedSymbol State, FeedMetrics Metrics, Backfiller Backfiller, Task Workers, CancellationTokenSource Stop)
        : IAsyncDisposable
    {
        public Task UntilClosedAsync() =>
            Eventually.UntilAsync(() => !State.IsFilling && Backfiller.Pending == 0, Timeout, "every gap closed");

        public void ShouldHaveCountedExactly(HistoryStub history, long from, long to)
        {
            var prices = history.Trades.Where(t => t.Id >= from && t.Id <= to).Select(t => t.Price).Order().ToArray();
            var s = State.Snapshot();
            (s.Count, s.Missed, s.Filling).Should().Be((prices.Length, 0L, false));
            s.MedianHalfUnits.Should().Be(prices.Length % 2 == 1
                ? 2 * prices[prices.Length / 2]
                : prices[(prices.Length / 2) - 1] + prices[prices.Length / 2]);
            State.LastTradeId.Should().Be(to);
        }

        public async ValueTask DisposeAsync()
        {
            await Stop.CancelAsync();
            await Workers;
            Stop.Dispose();
        }
    }

    /// <summary>
    /// The exchange's trade history for one symbol: aggregates are runs of trades at one price and time; the database
    /// endpoints (aggTrades, historicalTrades) see only ids up to <see cref="DatabaseUpTo"/>, the recent list all.
    /// </summary>
    private sealed class HistoryStub(IReadOnlyList<(long Id, long Price, long Time)> trades) : HttpMessageHandler
    {
        private List<(long A, long First, long Last, long Price, long Time)>? _aggregates;
        private int _stalled;

        public IReadOnlyList<(long Id, long Price, long Time)> Trades => trades;

        public long DatabaseUpTo { get; set; } = long.MaxValue;

        public HttpStatusCode Status { get; set; } = HttpStatusCode.OK;

        public int StallFirst { get; init; }

        /// <summary>Ids the database never has (a hole in the history).</summary>
        public HashSet<long> Missing { get; init; } = [];

        public Backfiller? Backfiller { get; set; }

        public ConcurrentQueue<string> Queries { get; } = new();

        public IReadOnlyCollection<string> Paths => Queries.Select(q => q.Split('?')[0]).ToArray();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!;
            Queries.Enqueue(uri.PathAndQuery);
            if (Interlocked.Increment(ref _stalled) <= StallFirst)
            {
                await Task.Delay(System.Threading.Timeout.Infinite, cancellationToken);
            }

            if (Status != HttpStatusCode.OK)
            {
                return Json(Status, """{"code":-1121,"msg":"Invalid symbol."}""");
            }

            var q = System.Web.HttpUtility.ParseQueryString(uri.Query);
            var limit = int.Parse(q["limit"] ?? "500", CultureInfo.InvariantCulture);
            var upTo = DatabaseUpTo;
            switch (uri.AbsolutePath)
            {
                case "/api/v3/aggTrades":
                    _aggregates ??= Aggregate(trades.Where(t => !Missing.Contains(t.Id)).ToArray());
                    IEnumerable<(long A, long First, long Last, long Price, long Time)> rows = _aggregates.Where(a => a.Last <= upTo);
                    if (q["fromId"] is { } fromId)
                    {
                        rows = rows.Where(a => a.A >= long.Parse(fromId, CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        var start = long.Parse(q["startTime"]!, CultureInfo.InvariantCulture);
                        var end = q["endTime"] is { } e ? long.Parse(e, CultureInfo.InvariantCulture) : long.MaxValue;
                        if (q["endTime"] is not null)
                        {
                            (end - start).Should().BeLessThan(3_600_000, "Binance refuses windows of an hour or more");
                        }

                        rows = rows.Where(a => a.Time >= start && a.Time <= end);
                    }

                    return Json(HttpStatusCode.OK, "[" + string.Join(",", rows.Take(limit).Select(a =>
                        $$"""{"a":{{a.A}},"p":"{{Price(a.Price)}}","q":"1","f":{{a.First}},"l":{{a.Last}},"T":{{a.Time}},"m":true,"M":true}""")) + "]");
                case "/api/v3/trades":
                    return TradeRows(trades.Skip(Math.Max(0, trades.Count - limit)));
                case "/api/v3/historicalTrades":
                    var from = long.Parse(q["fromId"]!, CultureInfo.InvariantCulture);
                    return TradeRows(trades.Where(t => t.Id >= from && t.Id <= upTo && !Missing.Contains(t.Id)).Take(limit));
                default:
                    return Json(HttpStatusCode.NotFound, "{}");
            }
        }

        private static HttpResponseMessage TradeRows(IEnumerable<(long Id, long Price, long Time)> rows) =>
            Json(HttpStatusCode.OK, "[" + string.Join(",", rows.Select(t =>
                $$"""{"id":{{t.Id}},"price":"{{Price(t.Price)}}","qty":"1","quoteQty":"1","time":{{t.Time}},"isBuyerMaker":true,"isBestMatch":true}""")) + "]");

        private static string Price(long units) => (units / 100_000_000m).ToString("0.00000000", CultureInfo.InvariantCulture);

        private static HttpResponseMessage Json(HttpStatusCode status, string body) =>
            new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

        private static List<(long, long, long, long, long)> Aggregate(IReadOnlyList<(long Id, long Price, long Time)> trades)
        {
            var result = new List<(long, long, long, long, long)>();
            var i = 0;
            while (i < trades.Count)
            {
                var j = i;
                while (j + 1 < trades.Count && trades[j + 1].Id == trades[j].Id + 1 && trades[j + 1].Price == trades[i].Price && trades[j + 1].Time == trades[i].Time)
                {
                    j++;
                }

                result.Add((1_000 + result.Count, trades[i].Id, trades[j].Id, trades[i].Price, trades[i].Time));
                i = j + 1;
            }

            return result;
        }
    }
}
