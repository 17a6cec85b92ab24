using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using TradeStat.Tests.Fakes;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Integration.Feed.FakeExchange;

/// <summary>
/// The fake's combined streams, through a plain ClientWebSocket on 127.0.0.1: requests answered by id, errors in
/// Binance's flat form, oversized requests ignored, refused and silent streams, the first SUBSCRIBE ignored, trades only
/// while subscribed, serverShutdown in the combined form, the pong timeout, the stream cap and the drops.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class FakeExchangeStreamTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private static readonly FakeMarket Market = FakeMarket.Create(listed: 8, trading: 4, tradesPerSymbol: 30, seed: 21);

    private readonly List<IAsyncDisposable> _owned = [];

    private static string SymbolA => Market.TradingSymbols[0];

    private static string SymbolB => Market.TradingSymbols[1];

    private static string StreamA => FakeMarket.StreamOf(SymbolA);

    private static string StreamB => FakeMarket.StreamOf(SymbolB);

    [TearDown]
    public async Task Stop()
    {
        // Clients first, then the exchange.
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        _owned.Clear();
    }

    [Test]
    public async Task Requests_are_answered_by_id_and_trades_flow_only_while_subscribed()
    {
        var exchange = await StartAsync(new FakeBinanceExchange(Market, []) { IgnoreFirstSubscribe = false, MalformedEvery = 0 });
        var client = await ConnectAsync(exchange, [StreamA]);
        (await client.ListAsync()).Should().Equal(StreamA);

        var answer = await client.RequestAsync("SUBSCRIBE", [StreamB]);
        answer.GetRawText().Should().Be("""{"result":null,"id":2}""");
        (await client.ListAsync()).Should().BeEquivalentTo([StreamA, StreamB]);

        var a = Market.Trades.Where(t => t.Symbol == SymbolA).Select(t => t.Id).ToArray();
        var b = Market.Trades.Where(t => t.Symbol == SymbolB).Select(t => t.Id).ToArray();
        exchange.Publish(2, SymbolA);
        exchange.Publish(2, SymbolB);
        await WaitUntil(() => client.TradeCount == 4, "four trades delivered");

        (await client.RequestAsync("UNSUBSCRIBE", [StreamB])).GetProperty("result").ValueKind.Should().Be(JsonValueKind.Null);
        exchange.Publish(2, SymbolB);
        exchange.Publish(1, SymbolA);
        await WaitUntil(() => client.TradeCount == 5, "the third trade of A");

        (await client.RequestAsync("SUBSCRIBE", [StreamB])).GetProperty("result").ValueKind.Should().Be(JsonValueKind.Null);
        exchange.Publish(1, SymbolB);
        await WaitUntil(() => client.TradeCount == 6, "B's trade after the new subscription");

        var trades = client.Trades;
        trades.Where(t => t.Symbol == SymbolA).Select(t => t.Id).Should().Equal(a[..3]);
        trades.Where(t => t.Symbol == SymbolB).Select(t => t.Id).Should().Equal([b[0], b[1], b[4]], "what was published while unsubscribed never comes");
        exchange.TradesDelivered.Should().Be(6);
    }

    [Test]
    public async Task Errors_come_in_the_flat_form_with_the_request_id()
    {
        var exchange = await StartAsync(new FakeBinanceExchange(Market, []) { IgnoreFirstSubscribe = false });
        var client = await ConnectAsync(exchange, [StreamA]);

        var unknown = await client.RequestAsync("""{"method":"SUBSCRIBE_ALL","params":[],"id":70}""", 70);
        unknown.GetProperty("code").GetInt32().Should().Be(2);
        unknown.GetProperty("msg").GetString().Should().StartWith("Invalid request: unknown variant `SUBSCRIBE_ALL`");
        unknown.GetProperty("id").GetInt64().Should().Be(70);
        unknown.TryGetProperty("error", out _).Should().BeFalse("Binance's stream errors are flat, not nested under \"error\"");
        unknown.TryGetProperty("result", out _).Should().BeFalse();

        var numbers = await client.RequestAsync("""{"method":"SUBSCRIBE","params":[1,2],"id":71}""", 71);
        numbers.GetProperty("code").GetInt32().Should().Be(2);
        numbers.GetProperty("msg").GetString().Should().StartWith("Invalid request:");
        numbers.GetProperty("id").GetInt64().Should().Be(71);

        await client.SendTextAsync("{\"method\":");
        await WaitUntil(() => client.Others.Count == 1, "the answer to invalid JSON");
        using var invalid = JsonDocument.Parse(client.Others.Single());
        invalid.RootElement.GetProperty("code").GetInt32().Should().Be(3);
        invalid.RootElement.GetProperty("msg").GetString().Should().StartWith("Invalid JSON:");

        (await client.ListAsync()).Should().Equal([StreamA], "no failed request subscribed anything");
        exchange.RequestErrors.Should().Be(3);
    }

    [Test]
    public async Task A_request_over_MaxRequestBytes_gets_no_answer_at_all()
    {
        var exchange = await StartAsync(new FakeBinanceExchange(Market, []) { IgnoreFirstSubscribe = false });
        var client = await ConnectAsync(exchange, [StreamA]);

        // Exactly MaxRequestBytes is still answered; one byte more is not.
        var fits = SubscribeOfSize(exchange.MaxRequestBytes, id: 500, out var fitting);
        (await client.RequestAsync(fits, 500)).GetProperty("result").ValueKind.Should().Be(JsonValueKind.Null);

        var tooLong = SubscribeOfSize(exchange.MaxRequestBytes + 1, id: 501, out var ignored);
        await client.SendTextAsync(tooLong);
        var listed = await client.ListAsync();

        // Answers come in request order, so an answer to 501 would have arrived before the list.
        client.Others.Should().BeEmpty();
        listed.Should().BeEquivalentTo([StreamA, fitting]);
        listed.Should().NotContain(ignored);
        exchange.OversizedRequestsIgnored.Should().Be(1);
    }

    [Test]
    public async Task Refused_streams_fail_the_whole_SUBSCRIBE_and_silent_ones_are_acknowledged_but_never_subscribed()
    {
        var exchange = await StartAsync(new FakeBinanceExchange(Market, [])
        {
            IgnoreFirstSubscribe = false,
            RefusedStreams = new HashSet<string> { "badcoinusdt@trade" },
            SilentStreams = new HashSet<string> { "ghostusdt@trade" },
        });
        var client = await ConnectAsync(exchange, []);

        var refused = await client.RequestAsync("SUBSCRIBE", [StreamA, "badcoinusdt@trade"]);
        refused.GetProperty("code").GetInt32().Should().Be(2);
        refused.GetProperty("msg").GetString().Should().StartWith("Invalid request:");
        refused.GetProperty("id").GetInt64().Should().Be(1);
        (await client.ListAsync()).Should().BeEmpty("nothing of a refused frame is subscribed");

        (await client.RequestAsync("SUBSCRIBE", [StreamA, "ghostusdt@trade"])).GetRawText().Should().Be("""{"result":null,"id":3}""");
        (await client.ListAsync()).Should().Equal(StreamA);
        exchange.IsSubscribed("ghostusdt@trade").Should().BeFalse();
        exchange.RequestErrors.Should().Be(1);
    }

    [Test]
    public async Task The_first_SUBSCRIBE_is_acknowledged_but_ignored()
    {
        var exchange = await StartAsync(new FakeBinanceExchange(Market, []));
        var client = await ConnectAsync(exchange, []);
        (await client.RequestAsync("SUBSCRIBE", [StreamA])).GetProperty("result").ValueKind.Should().Be(JsonValueKind.Null);
        (await client.ListAsync()).Should().BeEmpty();
        (await client.RequestAsync("SUBSCRIBE", [StreamA])).GetProperty("result").ValueKind.Should().Be(JsonValueKind.Null);
        (await client.ListAsync()).Should().Equal(StreamA);
    }

    [Test]
    public async Task A_connection_carries_at_most_MaxStreamsPerConnection_streams()
    {
        var exchange = await StartAsync(new FakeBinanceExchange(Market, []) { IgnoreFirstSubscribe = false, MaxStreamsPerConnection = 3 });
        var streams = Market.Streams.ToArray();
        var refusedUrl = async () => await ConnectAsync(exchange, streams[..4]);
        await refusedUrl.Should().ThrowAsync<WebSocketException>("a URL with more streams than allowed is refused");

        var client = await ConnectAsync(exchange, streams[..2]);
        var over = await client.RequestAsync("SUBSCRIBE", streams[2..4]);
        over.GetProperty("code").GetInt32().Should().Be(2);
        (await client.RequestAsync("SUBSCRIBE", [streams[2], streams[0]])).GetProperty("result").ValueKind.Should().Be(JsonValueKind.Null);
        (await client.ListAsync()).Should().BeEquivalentTo(streams[..3]);
    }

    [Test]
    public async Task ServerShutdown_is_announced_in_the_combined_form_and_the_connection_then_drops()
    {
        var exchange = await StartAsync(new FakeBinanceExchange(Market, [new FakeAction(FakeActionKind.ServerShutdown, 1)])
        {
            IgnoreFirstSubscribe = false,
            MalformedEvery = 0,
            ShutdownGrace = TimeSpan.FromMilliseconds(300),
        });
        var client = await ConnectAsync(exchange, [StreamA]);
        (await client.ListAsync()).Should().Equal(StreamA);
        exchange.Publish(2, SymbolA);

        await WaitUntil(() => client.Others.Count == 1, "the serverShutdown event");
        using (var doc = JsonDocument.Parse(client.Others.Single()))
        {
            var root = doc.RootElement;
            root.EnumerateObject().Select(p => p.Name).Should().Equal("stream", "data");
            root.GetProperty("stream").GetString().Should().Be("!serverShutdown");
            root.GetProperty("data").GetProperty("e").GetString().Should().Be("serverShutdown");
            root.GetProperty("data").GetProperty("E").GetInt64().Should().BeGreaterThan(0);
        }

        (await client.Ended.WaitAsync(Timeout).ContinueWith(t => t.IsCompletedSuccessfully)).Should().BeTrue("the connection drops after the grace period");
        client.TradeCount.Should().Be(2, "trades keep flowing during the grace period");
        exchange.PendingActions.Should().Be(0);
        await WaitUntil(() => exchange.OpenConnections == 0, "the connection gone");
    }

    [Test]
    public async Task A_client_that_never_reads_is_cut_off_by_the_pong_timeout()
    {
        var exchange = await StartAsync(new FakeBinanceExchange(Market, [])
        {
            PingInterval = TimeSpan.FromMilliseconds(100),
            PongTimeout = TimeSpan.FromMilliseconds(400),
        });

        // ClientWebSocket answers pings only from inside ReceiveAsync: with no receive pending and no keep-alive of its
        // own, this client is silent.
        using var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await socket.ConnectAsync(new Uri(exchange.StreamBaseUrl, "/stream?streams=" + StreamA), CancellationToken.None);
        await WaitUntil(() => exchange.PongTimeouts == 1, "the server cut off the silent client");
        await WaitUntil(() => exchange.OpenConnections == 0, "no connection left");
        exchange.PongsReceived.Should().Be(0);
        exchange.RateLimitCloses.Should().Be(0);
    }

    [Test]
    public async Task A_pong_echoing_each_ping_keeps_the_connection_past_many_pong_timeouts()
    {
        // Pings at least 250 ms apart: the client's pongs stay within 5 a second.
        var exchange = await StartAsync(new FakeBinanceExchange(Market, [])
        {
            PingInterval = TimeSpan.FromMilliseconds(250),
            PongTimeout = TimeSpan.FromMilliseconds(600),
        });
        using var timeout = new CancellationTokenSource(Timeout);
        await using var socket = await RawWebSocket.ConnectAsync(exchange.StreamBaseUrl, "/stream?streams=" + StreamA, timeout.Token);
        var payloads = await AnswerPingsAsync(socket, 8, echo: true, timeout.Token);

        payloads.Should().HaveCount(8).And.AllSatisfy(p => p.Should().HaveCount(8));
        payloads.Select(Convert.ToHexString).Should().OnlyHaveUniqueItems();
        await WaitUntil(() => exchange.PongsReceived == 8, "the last pong read by the server");
        exchange.PongTimeouts.Should().Be(0, "eight pings over several pong timeouts were all answered");
        exchange.OpenConnections.Should().Be(1);
    }

    [Test]
    public async Task A_pong_that_does_not_echo_the_ping_answers_nothing()
    {
        var exchange = await StartAsync(new FakeBinanceExchange(Market, [])
        {
            PingInterval = TimeSpan.FromMilliseconds(250),
            PongTimeout = TimeSpan.FromMilliseconds(600),
        });
        using var timeout = new CancellationTokenSource(Timeout);
        await using var socket = await RawWebSocket.ConnectAsync(exchange.StreamBaseUrl, "/stream?streams=" + StreamA, timeout.Token);

        // An empty pong after every ping: the traffic Binance calls unsolicited pongs, which do not prevent the cut.
        var payloads = await AnswerPingsAsync(socket, 20, echo: false, timeout.Token);
        payloads.Count.Should().BeLessThan(20, "the connection was cut before twenty pings");
        await WaitUntil(() => exchange.PongTimeouts == 1, "the pong timeout");
        exchange.PongsReceived.Should().BeLessThanOrEqualTo(payloads.Count);
        exchange.RateLimitCloses.Should().Be(0);
    }

    [Test]
    public async Task DropConnectionsCarrying_and_DropAll_abort_the_connections_they_name()
    {
        var exchange = await StartAsync(new FakeBinanceExchange(Market, []));
        var a = await ConnectAsync(exchange, [StreamA]);
        var b = await ConnectAsync(exchange, [StreamB]);
        await WaitUntil(() => exchange.OpenConnections == 2, "both connected");

        exchange.DropConnectionsCarrying(StreamA).Should().Be(1);
        (await a.Ended.WaitAsync(Timeout).ContinueWith(t => t.IsCompletedSuccessfully)).Should().BeTrue();
        a.CloseStatus.Should().BeNull("a drop sends no close frame");
        (await b.ListAsync()).Should().Equal([StreamB], "the other connection is untouched");

        exchange.DropAll().Should().Be(1);
        (await b.Ended.WaitAsync(Timeout).ContinueWith(t => t.IsCompletedSuccessfully)).Should().BeTrue();
        await WaitUntil(() => exchange.OpenConnections == 0, "no connection left");
    }

    // Answers up to `count` server pings with a pong (echoing the payload, or empty); returns the ping payloads seen
    // before the connection ended or the count was reached.
    private static async Task<List<byte[]>> AnswerPingsAsync(RawWebSocket socket, int count, bool echo, CancellationToken token)
    {
        var payloads = new List<byte[]>();
        for (var frames = 0; payloads.Count < count && frames < 10_000; frames++)
        {
            var frame = await socket.ReceiveAsync(token);
            if (frame is null || frame.Value.Opcode == RawWebSocket.Close)
            {
                break;
            }

            if (frame.Value.Opcode == RawWebSocket.Ping)
            {
                payloads.Add(frame.Value.Payload);
                await socket.SendAsync([RawWebSocket.Frame(RawWebSocket.Pong, echo ? frame.Value.Payload : [])], token);
            }
        }

        return payloads;
    }

    // A SUBSCRIBE of one padded stream name whose JSON is exactly `size` bytes.
    private static string SubscribeOfSize(int size, int id, out string stream)
    {
        var empty = $"{{\"method\":\"SUBSCRIBE\",\"params\":[\"@trade\"],\"id\":{id}}}";
        stream = new string('x', size - Encoding.UTF8.GetByteCount(empty)) + "@trade";
        var json = $"{{\"method\":\"SUBSCRIBE\",\"params\":[\"{stream}\"],\"id\":{id}}}";
        Encoding.UTF8.GetByteCount(json).Should().Be(size);
        return json;
    }

    private async Task<FakeBinanceExchange> StartAsync(FakeBinanceExchange exchange)
    {
        _owned.Add(exchange);
        await exchange.StartAsync();
        return exchange;
    }

    private async Task<StreamClient> ConnectAsync(FakeBinanceExchange exchange, IEnumerable<string> streams)
    {
        var client = await StreamClient.ConnectAsync(exchange, streams);
        _owned.Add(client);
        return client;
    }

    private static Task WaitUntil(Func<bool> condition, string what) => Eventually.UntilAsync(condition, Timeout, what);
}
