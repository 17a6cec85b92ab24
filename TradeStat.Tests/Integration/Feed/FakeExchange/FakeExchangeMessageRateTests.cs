using System.Net.WebSockets;
using System.Text.Json;
using TradeStat.Tests.Fakes;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Integration.Feed.FakeExchange;

/// <summary>
/// Binance's 5 incoming messages per second per connection, pings and pongs included: exact bursts of frames over a
/// raw socket (five pass, the sixth closes the connection with 1008 after the messages before it are answered), then a
/// paced ClientWebSocket whose pongs to the server's pings push it over the limit or leave it under.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class FakeExchangeMessageRateTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private static readonly FakeMarket Market = FakeMarket.Create(listed: 2, trading: 1, tradesPerSymbol: 5, seed: 31);
    private static readonly string Stream = FakeMarket.StreamOf(Market.Symbols[0]);

    private readonly List<IAsyncDisposable> _owned = [];

    [TearDown]
    public async Task Stop()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        _owned.Clear();
    }

    [Test]
    public async Task Five_messages_within_a_second_pongs_included_are_all_answered()
    {
        var exchange = await StartAsync(new FakeBinanceExchange(Market, []));
        var socket = await RawAsync(exchange);
        using var timeout = new CancellationTokenSource(Timeout);

        // The pongs go first, so that the three answers prove the server has read every frame.
        await socket.SendAsync([RawWebSocket.PongFrame(), RawWebSocket.PongFrame(), List(1), List(2), List(3)], timeout.Token);
        (await AnswerIdsAsync(socket, 3, timeout.Token)).Should().Equal(1, 2, 3);

        using (new FluentAssertions.Execution.AssertionScope())
        {
            exchange.RateLimitCloses.Should().Be(0);
            exchange.MaxClientMessagesPerSecond.Should().Be(5);
            exchange.PongsReceived.Should().Be(2);
            exchange.OpenConnections.Should().Be(1);
        }
    }

    [Test]
    public async Task A_sixth_message_within_a_second_closes_with_1008_once_the_ones_before_it_are_answered()
    {
        // This client never answers the close frame: the server cuts it after CloseHandshakeTimeout.
        var exchange = await StartAsync(new FakeBinanceExchange(Market, []) { CloseHandshakeTimeout = TimeSpan.FromMilliseconds(200) });
        var socket = await RawAsync(exchange);
        using var timeout = new CancellationTokenSource(Timeout);

        // Three pongs and three requests: the third request is the sixth message.
        await socket.SendAsync([RawWebSocket.PongFrame(), RawWebSocket.PongFrame(), RawWebSocket.PongFrame(), List(1), List(2), List(3)], timeout.Token);
        (await AnswerIdsAsync(socket, 2, timeout.Token)).Should().Equal(1, 2);
        (await socket.ReadToCloseAsync(timeout.Token)).Should().Be(1008, "the third request is not answered: the connection closes for its message rate");

        exchange.RateLimitCloses.Should().Be(1);
        exchange.MaxClientMessagesPerSecond.Should().Be(6);
        await WaitUntil(() => exchange.OpenConnections == 0, "the connection gone");
    }

    [Test]
    public async Task Six_requests_in_a_burst_get_five_answers_and_a_1008_close()
    {
        var exchange = await StartAsync(new FakeBinanceExchange(Market, []));
        var socket = await RawAsync(exchange);
        using var timeout = new CancellationTokenSource(Timeout);

        await socket.SendAsync(Enumerable.Range(1, 6).Select(List), timeout.Token);
        (await AnswerIdsAsync(socket, 5, timeout.Token)).Should().Equal(1, 2, 3, 4, 5);
        (await socket.ReadToCloseAsync(timeout.Token)).Should().Be(1008);
        exchange.RateLimitCloses.Should().Be(1);
    }

    [Test]
    public async Task Three_requests_a_second_with_pings_every_second_stay_open()
    {
        // At least 400 ms between requests: at most 3 in any second; pings a second apart: at most 2 pongs. 5 in all.
        var exchange = await StartAsync(new FakeBinanceExchange(Market, [])
        {
            PingInterval = TimeSpan.FromSeconds(1),
            PongTimeout = TimeSpan.FromSeconds(10),
        });
        var client = await ClientAsync(exchange, TimeSpan.FromMilliseconds(400));
        for (var i = 0; i < 12; i++)
        {
            (await client.ListAsync()).Should().Equal(Stream);
        }

        using (new FluentAssertions.Execution.AssertionScope())
        {
            exchange.PongsReceived.Should().BeGreaterThanOrEqualTo(3, "pings come every second whatever the traffic, and were answered");
            exchange.RateLimitCloses.Should().Be(0);
            exchange.MaxClientMessagesPerSecond.Should().BeLessThanOrEqualTo(5);
            client.Ended.IsCompleted.Should().BeFalse();
        }
    }

    [Test]
    public async Task Four_requests_a_second_stay_open_without_pings()
    {
        // The control for the next test: at least 250 ms apart, at most 4 in any second.
        var exchange = await StartAsync(new FakeBinanceExchange(Market, []));
        var client = await ClientAsync(exchange, TimeSpan.FromMilliseconds(250));
        for (var i = 0; i < 16; i++)
        {
            (await client.ListAsync()).Should().Equal(Stream);
        }

        exchange.RateLimitCloses.Should().Be(0);
        exchange.MaxClientMessagesPerSecond.Should().BeLessThanOrEqualTo(4);
    }

    [Test]
    public async Task Four_requests_a_second_are_closed_once_the_pongs_to_frequent_pings_count()
    {
        // The same client, with pings every 400 ms: its pongs take it past 5 messages in a second.
        var exchange = await StartAsync(new FakeBinanceExchange(Market, [])
        {
            PingInterval = TimeSpan.FromMilliseconds(400),
            PongTimeout = TimeSpan.FromSeconds(10),
        });
        var client = await ClientAsync(exchange, TimeSpan.FromMilliseconds(250));
        for (var i = 0; i < 40 && !client.Ended.IsCompleted; i++)
        {
            try
            {
                await client.ListAsync();
            }
            catch (WebSocketException)
            {
                break;
            }
        }

        (await client.Ended.WaitAsync(Timeout).ContinueWith(t => t.IsCompletedSuccessfully)).Should().BeTrue("the server closed the connection");
        client.CloseStatus.Should().Be(WebSocketCloseStatus.PolicyViolation);
        exchange.RateLimitCloses.Should().Be(1);
        exchange.PongsReceived.Should().BeGreaterThan(0);
        exchange.MaxClientMessagesPerSecond.Should().Be(6);
    }

    private static byte[] List(int id) => RawWebSocket.TextFrame($"{{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":{id}}}");

    private static async Task<long[]> AnswerIdsAsync(RawWebSocket socket, int count, CancellationToken token)
    {
        var ids = new List<long>();
        for (var i = 0; i < count; i++)
        {
            var text = await socket.ReceiveTextAsync(token);
            text.Should().NotBeNull($"answer {i + 1} of {count} should arrive before any close");
            using var doc = JsonDocument.Parse(text!);
            ids.Add(doc.RootElement.GetProperty("id").GetInt64());
        }

        return [.. ids];
    }

    private async Task<FakeBinanceExchange> StartAsync(FakeBinanceExchange exchange)
    {
        _owned.Add(exchange);
        await exchange.StartAsync();
        return exchange;
    }

    private async Task<RawWebSocket> RawAsync(FakeBinanceExchange exchange)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var socket = await RawWebSocket.ConnectAsync(exchange.StreamBaseUrl, "/stream?streams=" + Stream, timeout.Token);
        _owned.Add(socket);
        return socket;
    }

    private async Task<StreamClient> ClientAsync(FakeBinanceExchange exchange, TimeSpan spacing)
    {
        var client = await StreamClient.ConnectAsync(exchange, [Stream], spacing);
        _owned.Add(client);
        return client;
    }

    private static Task WaitUntil(Func<bool> condition, string what) => Eventually.UntilAsync(condition, Timeout, what);
}
