using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TradeStat.Infrastructure.Feed;
using TradeStat.Tests.Fakes;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Integration.Feed;

/// <summary>
/// The real client (the whole service, feed on) against <see cref="FakeBinanceExchange"/> on loopback: 1961 listed symbols
/// over 2 connections, both recordings published while connections are dropped, shut down by the server and rotated.
/// Every trade must be counted exactly once; what was missed while disconnected comes back through historicalTrades.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class FeedEndToEndTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Test]
    public async Task Every_trade_is_counted_once_across_drops_shutdown_and_rotation()
    {
        var trades = Recordings.RecordedTrades(Recordings.BtcUsdt).Concat(Recordings.RecordedTrades(Recordings.EthUsdt)).ToArray();
        await using var exchange = new FakeBinanceExchange(
            Recordings.Bytes(Recordings.ExchangeInfo2022),
            trades,
            [
                new FakeAction(FakeActionKind.Drop, 1_500),
                new FakeAction(FakeActionKind.ServerShutdown, 1_500),
                new FakeAction(FakeActionKind.Drop, 1_000),
            ]);
        await exchange.StartAsync();

        await using var service = exchange.FeedService(
            ("Binance:ReconnectBaseDelay", "00:00:00.050"),
            ("Binance:ReconnectMaxDelay", "00:00:00.500"),
            ("Binance:RotationOverlap", "00:00:00.200"),
            ("Binance:ConnectionLifetime", "00:00:02.500"));
        using var client = service.CreateApiClient();
        var metrics = service.Services.GetRequiredService<FeedMetrics>();

        await WaitUntil(() => exchange.AllRecordedStreamsSubscribed, "both recorded streams subscribed");
        exchange.Connections.Should().Be(2, "the 1425 tradable symbols (536 of the 1961 are in BREAK) need ceil(1425/1024) = 2 connections");
        var publishing = exchange.PublishAsync(step: 20, interval: TimeSpan.FromMilliseconds(10));

        var btc = trades.Where(t => t.Symbol == "BTCUSDT").ToArray();
        var eth = trades.Where(t => t.Symbol == "ETHUSDT").ToArray();
        var book = service.Services.GetRequiredService<FeedBook>();
        await WaitUntil(
            () => exchange.TapeFinished && book.Get("BTCUSDT")!.Value.Count == btc.Length && book.Get("ETHUSDT")!.Value.Count == eth.Length,
            "every trade counted");
        await publishing;

        await AssertSymbolAsync(client, "BTCUSDT", btc);
        await AssertSymbolAsync(client, "ETHUSDT", eth);
        using (Assertions())
        {
            exchange.PendingActions.Should().Be(0, "every scripted drop and shutdown happened");
            metrics.Trades.Should().Be(trades.Length);
            metrics.Missed.Should().Be(0);
            metrics.Backfilled.Should().BeGreaterThan(0, "trades published while disconnected come from the trade history");
            exchange.AggTradesRequests.Should().BeGreaterThan(0, "aggregates are the cheapest history (weight 4)");
            metrics.Duplicates.Should().BeGreaterThan(0, "overlapping connections deliver trades twice");
            metrics.Reconnects.Should().BeGreaterThanOrEqualTo(2);
            metrics.ServerShutdowns.Should().BeGreaterThanOrEqualTo(1);
            metrics.Rotations.Should().BeGreaterThanOrEqualTo(2, "one for serverShutdown, at least one at the (shortened) connection lifetime");
            metrics.Malformed.Should().BeGreaterThan(0).And.BeLessThanOrEqualTo(exchange.MalformedSent);
            exchange.Urls.Should().OnlyContain(u => u.Length <= 8000);
            exchange.MaxClientMessagesPerSecond.Should().BeLessThanOrEqualTo(5, "Binance allows 5 incoming messages per second");
        }
    }

    [Test]
    public async Task A_message_over_MaxMessageBytes_is_discarded_and_counted_without_dropping_the_connection()
    {
        // The huge message is a valid (repeated) trade: buffered whole, it would be parsed (a duplicate); capped, it is
        // read through and thrown away without ever holding more than MaxMessageBytes.
        var btc = Recordings.RecordedTrades(Recordings.BtcUsdt).Take(200).ToArray();
        await using var exchange = new FakeBinanceExchange(
            """{"symbols":[{"symbol":"BTCUSDT"}]}"""u8.ToArray(), btc, [new FakeAction(FakeActionKind.HugeFrame, 100)])
        {
            IgnoreFirstSubscribe = false,
            MalformedEvery = 0,
            HugeFrameBytes = 1024 * 1024,
        };
        await exchange.StartAsync();
        await using var service = exchange.FeedService(
            ("Binance:MaxMessageBytes", "131072"));
        var metrics = service.Services.GetRequiredService<FeedMetrics>();
        var book = service.Services.GetRequiredService<FeedBook>();
        await WaitUntil(() => exchange.AllRecordedStreamsSubscribed, "subscribed");
        var publishing = exchange.PublishAsync(step: 10, interval: TimeSpan.FromMilliseconds(5));
        await WaitUntil(() => exchange.TapeFinished && book.Get("BTCUSDT")!.Value.Count == btc.Length, "every trade counted");
        await publishing;

        using (Assertions())
        {
            exchange.PendingActions.Should().Be(0, "the huge message was sent");
            metrics.Malformed.Should().Be(1, "the oversized message is counted as malformed");
            metrics.Duplicates.Should().Be(0, "it was never parsed");
            metrics.Reconnects.Should().Be(0);
            exchange.Connections.Should().Be(1, "the connection survives the oversized message");
        }
    }

    [Test]
    public async Task Server_pings_are_answered_so_the_connection_survives_the_pong_timeout()
    {
        // Pings every 300 ms, cut off after 500 ms without a pong; the client must stay connected through many timeouts.
        // Each pong counts against Binance's 5 incoming messages per second, so the pings leave room for the client's own.
        await using var exchange = new FakeBinanceExchange(
            """{"symbols":[{"symbol":"BTCUSDT"}]}"""u8.ToArray(), Recordings.RecordedTrades(Recordings.BtcUsdt).Take(1), [])
        {
            PingInterval = TimeSpan.FromMilliseconds(300),
            PongTimeout = TimeSpan.FromMilliseconds(500),
        };
        await exchange.StartAsync();
        await using var service = exchange.FeedService(
            ("Binance:ReconnectBaseDelay", "00:00:00.050"));
        var metrics = service.Services.GetRequiredService<FeedMetrics>();
        await WaitUntil(() => exchange.AllRecordedStreamsSubscribed, "subscribed");

        // No cut-off, shown by a positive signal: pings go out at least an interval apart, so 30 answered ones span many
        // pong timeouts. The trade published after them must still arrive on the first connection.
        await WaitUntil(() => exchange.PongsReceived >= 30, "30 of the server's pings answered");
        await exchange.PublishAsync(1, TimeSpan.FromMilliseconds(1));
        var book = service.Services.GetRequiredService<FeedBook>();
        await WaitUntil(() => book.Get("BTCUSDT")!.Value.Count == 1, "trade counted");
        using (Assertions())
        {
            exchange.Connections.Should().Be(1);
            exchange.PongTimeouts.Should().Be(0);
            metrics.OpenConnections.Should().Be(1);
            metrics.Reconnects.Should().Be(0);
        }
    }

    [Test]
    public async Task Refresh_subscribes_new_listings_and_drops_delistings_without_stopping()
    {
        var btc = Recordings.RecordedTrades(Recordings.BtcUsdt).ToArray();
        var eth = Recordings.RecordedTrades(Recordings.EthUsdt).ToArray();
        await using var exchange = new FakeBinanceExchange(
            """{"symbols":[{"symbol":"BTCUSDT"},{"symbol":"OLDCOIN"}]}"""u8.ToArray(), btc.Concat(eth), [])
        {
            IgnoreFirstSubscribe = false,
            MalformedEvery = 0,
        };
        await exchange.StartAsync();
        await using var service = exchange.FeedService(
            ("Binance:SymbolRefreshInterval", "00:00:01"),
            ("Binance:MaxStreamsPerConnection", "2"));
        using var client = service.CreateApiClient();
        var book = service.Services.GetRequiredService<FeedBook>();
        await WaitUntil(() => exchange.IsSubscribed("btcusdt@trade") && exchange.IsSubscribed("oldcoin@trade"), "initial subscriptions");

        // BTCUSDT trades flow while the universe changes under them.
        var publishing = exchange.PublishAsync(step: 10, interval: TimeSpan.FromMilliseconds(5));
        exchange.ExchangeInfo = """{"symbols":[{"symbol":"BTCUSDT"},{"symbol":"ETHUSDT"},{"symbol":"NEWCOIN"}]}"""u8.ToArray();
        await WaitUntil(() => book.Symbols.SequenceEqual(["BTCUSDT", "ETHUSDT", "NEWCOIN"]), "universe refreshed");
        await WaitUntil(() => exchange.IsSubscribed("ethusdt@trade") && exchange.IsSubscribed("newcoin@trade") && !exchange.IsSubscribed("oldcoin@trade"),
            "new listings subscribed, delisting unsubscribed");
        await WaitUntil(() => exchange.TapeFinished && book.Get("BTCUSDT")!.Value.Count == btc.Length, "every BTCUSDT trade counted");
        await publishing;

        (await client.GetAsync("/OLDCOIN")).StatusCode.Should().Be(HttpStatusCode.OK, "a delisted symbol is no longer listed, its statistics stay readable");
        book.Get("ETHUSDT")!.Value.Count.Should().BeGreaterThan(0, "ETHUSDT was subscribed while its trades were being published");
        service.Services.GetRequiredService<FeedMetrics>().Missed.Should().Be(0);
    }

    [Test]
    public async Task A_refresh_that_lists_no_symbols_keeps_the_universe_and_its_statistics()
    {
        var btc = Recordings.RecordedTrades(Recordings.BtcUsdt).Take(50).ToArray();
        await using var exchange = new FakeBinanceExchange("""{"symbols":[{"symbol":"BTCUSDT"}]}"""u8.ToArray(), btc, [])
        {
            IgnoreFirstSubscribe = false,
            MalformedEvery = 0,
        };
        await exchange.StartAsync();
        await using var service = exchange.FeedService(
            ("Binance:SymbolRefreshInterval", "00:00:01"));
        using var client = service.CreateApiClient();
        var book = service.Services.GetRequiredService<FeedBook>();
        await WaitUntil(() => exchange.IsSubscribed("btcusdt@trade"), "subscribed");
        await exchange.PublishAsync(step: 10, interval: TimeSpan.FromMilliseconds(1));
        await WaitUntil(() => book.Get("BTCUSDT")?.Count == btc.Length, "trades counted");

        exchange.ExchangeInfo = """{"symbols":[]}"""u8.ToArray();
        var requests = exchange.ExchangeInfoRequests;
        await WaitUntil(() => exchange.ExchangeInfoRequests >= requests + 2, "two refreshes with the empty list");

        book.Symbols.Should().Equal("BTCUSDT");
        book.Get("BTCUSDT")!.Value.Count.Should().Be(btc.Length, "the statistics survive a broken refresh");
        (await client.GetAsync("/BTCUSDT")).StatusCode.Should().Be(HttpStatusCode.OK);
        exchange.IsSubscribed("btcusdt@trade").Should().BeTrue();
    }

    [Test]
    public async Task Control_a_client_that_does_not_read_is_cut_off_by_the_pong_timeout()
    {
        // Shows that the fake really pings and enforces the timeout: ClientWebSocket only answers pings from inside
        // ReceiveAsync, so a socket nobody reads from misses them and the server aborts it.
        await using var exchange = new FakeBinanceExchange("""{"symbols":[]}"""u8.ToArray(), [], [])
        {
            PingInterval = TimeSpan.FromMilliseconds(100),
            PongTimeout = TimeSpan.FromMilliseconds(500),
        };
        await exchange.StartAsync();
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await socket.ConnectAsync(new Uri(exchange.StreamBaseUrl, "/stream?streams=btcusdt@trade"), CancellationToken.None);
        // Nobody reads, so the pings go unanswered: the fake's count of cut-off connections shows the server acted.
        await WaitUntil(() => exchange.PongTimeouts == 1, "the server cut off the client that did not pong");
        exchange.PongsReceived.Should().Be(0, "nobody read from the socket, so no ping was answered");

        using var timeout = new CancellationTokenSource(Timeout);
        var buffer = new byte[4096];
        var ended = false;
        try
        {
            while (!timeout.IsCancellationRequested)
            {
                var result = await socket.ReceiveAsync(buffer, timeout.Token);
                if (result.MessageType == System.Net.WebSockets.WebSocketMessageType.Close)
                {
                    ended = true;
                    break;
                }
            }
        }
        catch (System.Net.WebSockets.WebSocketException)
        {
            ended = true;
        }

        ended.Should().BeTrue("the server drops a client that did not pong in time");
    }

    private static async Task AssertSymbolAsync(HttpClient client, string symbol, RecordedTrade[] trades)
    {
        using var response = await client.GetAsync("/" + symbol.ToLowerInvariant());
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, body);
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        root.GetProperty("count").GetInt64().Should().Be(trades.Length);
        root.GetProperty("median").GetDecimal().Should().Be(Recordings.SortedMedian(trades.Select(t => t.Price)));
        root.GetProperty("last").GetDecimal().Should().Be(decimal.Parse(trades.MaxBy(t => t.Id)!.Price, System.Globalization.CultureInfo.InvariantCulture));
        root.GetProperty("exact").GetBoolean().Should().BeTrue();
    }

    private static FluentAssertions.Execution.AssertionScope Assertions() => new();

    private static Task WaitUntil(Func<bool> condition, string what) => Eventually.UntilAsync(condition, Timeout, what);
}
