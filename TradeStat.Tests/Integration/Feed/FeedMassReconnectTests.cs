using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using TradeStat.Infrastructure.Feed;
using TradeStat.Tests.Fakes;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Integration.Feed;

/// <summary>
/// The whole service against the strict fake exchange at the real exchange's shape, with its limits scaled down: thousands of
/// symbols listed, hundreds trading, every connection dropped at once while trading goes on, so that hundreds of symbols
/// have a gap at the same moment. The exchange enforces its limits (REST weight per window with 429 and 418 bans, 5
/// incoming messages per second per connection with pongs counted, pings with a pong deadline, a trade history that lags
/// the stream); the feed must count every trade exactly once without tripping any of them.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class FeedMassReconnectTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Test]
    public async Task A_mass_reconnect_of_hundreds_of_gapped_symbols_ends_with_every_trade_counted_once_and_no_limit_hit()
    {
        // 2,500 listed (most not trading; BREAK ones are left out), 600 trading, 24 trades each.
        var market = FakeMarket.Create(listed: 2_500, trading: 600, tradesPerSymbol: 24, seed: 13);
        await using var exchange = new FakeBinanceExchange(market)
        {
            // The real limits, scaled: 6,000 weight a minute becomes 1,000 a second; pings every second with a 4 s
            // pong deadline; the history a third of a second behind the stream.
            WeightLimit = 1_000,
            WeightWindow = TimeSpan.FromSeconds(1),
            BanDuration = TimeSpan.FromSeconds(30),
            PingInterval = TimeSpan.FromSeconds(1),
            PongTimeout = TimeSpan.FromSeconds(4),
            HistoryLag = TimeSpan.FromMilliseconds(300),
            MalformedEvery = 0,
        };
        await exchange.StartAsync();
        await using var service = exchange.FeedService(
            ("Binance:RestWeightLimit", "1000"),
            ("Binance:RestWeightWindow", "00:00:01"),
            ("Binance:BackfillDelay", "00:00:00.300"),
            ("Binance:BackfillRetryMaxDelay", "00:00:01"),
            ("Binance:ReconnectBaseDelay", "00:00:00.050"),
            ("Binance:ReconnectMaxDelay", "00:00:00.500"));
        service.CreateClient().Dispose();
        var metrics = service.Services.GetRequiredService<FeedMetrics>();
        var book = service.Services.GetRequiredService<FeedBook>();

        // Trading: 6 trades per symbol, then every connection drops while 12 more per symbol are published, then the rest.
        var weightBefore = 0L;
        var dropped = new Stopwatch();
        await DropWhileTradingAsync(exchange, market, metrics, before: 6, during: 12, atDrop: () =>
        {
            weightBefore = exchange.WeightCharged;
            dropped.Start();
        });
        var expected = await UntilEveryTradeCountedAsync(market, book);
        var filled = dropped.Elapsed;
        var weight = exchange.WeightCharged - weightBefore;

        TestContext.Progress.WriteLine(
            $"Mass reconnect: {metrics.Gaps} gaps over {expected.Count} symbols filled in {filled.TotalSeconds:F1} s; REST weight {weight} " +
            $"(aggTrades {exchange.AggTradesRequests}, trades {exchange.TradesRequests}, historicalTrades {exchange.HistoricalRequests}); " +
            $"largest window {exchange.MaxWindowWeight} of {exchange.WeightLimit}; backfilled {metrics.Backfilled}");
        using (new FluentAssertions.Execution.AssertionScope())
        {
            metrics.Gaps.Should().BeGreaterThanOrEqualTo(500, "hundreds of symbols traded while disconnected");
            metrics.Missed.Should().Be(0);
            metrics.Trades.Should().Be(market.Trades.Length, "every trade exactly once");
            foreach (var (symbol, trades) in expected)
            {
                var snapshot = book.Get(symbol)!.Value;
                snapshot.MedianHalfUnits.Should().Be(HalfUnits(Recordings.SortedMedian(trades.Select(t => t.Price))), symbol);
            }

            exchange.PongTimeouts.Should().Be(0, "the socket is always read, so pings are answered");
            exchange.RateLimitCloses.Should().Be(0);
            exchange.MaxClientMessagesPerSecond.Should().BeLessThanOrEqualTo(4, "at most 4 messages a second, pongs included");
            exchange.Answers429.Should().Be(0, "the REST budget waits instead of reaching the limit");
            exchange.Answers418.Should().Be(0);
            exchange.MaxWindowWeight.Should().BeLessThanOrEqualTo(exchange.WeightLimit);
        }
    }

    [Test]
    public async Task Slow_rest_answers_never_keep_the_socket_unread_so_pings_are_answered_in_time()
    {
        // A quarter of a second per REST answer and 150 gapped symbols on one connection: filled one after another inside
        // the receive loop they would keep the socket unread for far longer than the pong deadline.
        var market = FakeMarket.Create(listed: 300, trading: 150, tradesPerSymbol: 12, seed: 29);
        await using var exchange = new FakeBinanceExchange(market)
        {
            RestLatency = TimeSpan.FromMilliseconds(250),
            PingInterval = TimeSpan.FromSeconds(1),
            PongTimeout = TimeSpan.FromSeconds(3),
            MalformedEvery = 0,
        };
        await exchange.StartAsync();
        await using var service = exchange.FeedService(
            ("Binance:BackfillDelay", "00:00:00.100"),
            ("Binance:ReconnectBaseDelay", "00:00:00.050"),
            ("Binance:ReconnectMaxDelay", "00:00:00.500"));
        service.CreateClient().Dispose();
        var metrics = service.Services.GetRequiredService<FeedMetrics>();
        var book = service.Services.GetRequiredService<FeedBook>();

        var reconnected = await DropWhileTradingAsync(exchange, market, metrics, before: 4, during: 4, atDrop: () => { });
        await UntilEveryTradeCountedAsync(market, book);
        using (new FluentAssertions.Execution.AssertionScope())
        {
            metrics.Gaps.Should().BeGreaterThanOrEqualTo(100);
            exchange.PongTimeouts.Should().Be(0, "the receive loop only reads; the back-fill runs beside it");
            exchange.Connections.Should().Be(reconnected, "no connection was lost while the gaps were filled");
            metrics.Missed.Should().Be(0);
        }
    }

    /// <summary>
    /// Once every trading symbol is subscribed: <paramref name="before"/> trades per symbol published and counted, every
    /// connection dropped while <paramref name="during"/> more per symbol are published, every symbol subscribed again,
    /// then the rest published. Returns the exchange's connection count once subscribed again.
    /// </summary>
    private static async Task<int> DropWhileTradingAsync(FakeBinanceExchange exchange, FakeMarket market, FeedMetrics metrics,
        int before, int during, Action atDrop)
    {
        await WaitUntil(() => exchange.AllRecordedStreamsSubscribed, "every trading symbol subscribed");
        exchange.Publish(before);
        await WaitUntil(() => metrics.Trades == before * market.TradingSymbols.Count, "the first trades counted");
        var connections = exchange.Connections;
        atDrop();
        exchange.DropAll().Should().BeGreaterThanOrEqualTo(1);
        exchange.Publish(during);
        await WaitUntil(() => exchange.Connections > connections && exchange.AllRecordedStreamsSubscribed, "every symbol subscribed again");
        var reconnected = exchange.Connections;
        exchange.PublishAll();
        return reconnected;
    }

    /// <summary>Waits until every symbol's count is its number of trades; returns the trades by symbol.</summary>
    private static async Task<Dictionary<string, RecordedTrade[]>> UntilEveryTradeCountedAsync(FakeMarket market, FeedBook book)
    {
        var expected = market.Trades.GroupBy(t => t.Symbol).ToDictionary(g => g.Key, g => g.ToArray());
        await WaitUntil(() => expected.All(kv => book.Get(kv.Key)?.Count == kv.Value.Length), "every trade of every symbol counted");
        return expected;
    }

    private static long HalfUnits(decimal median) => (long)(median * 200_000_000m);

    private static Task WaitUntil(Func<bool> condition, string what) => Eventually.UntilAsync(condition, Timeout, what);
}
