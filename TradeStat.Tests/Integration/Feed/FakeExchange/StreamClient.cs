using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using TradeStat.Tests.Fakes;

namespace TradeStat.Tests.Integration.Feed.FakeExchange;

/// <summary>
/// A plain <see cref="ClientWebSocket"/> on the fake's combined streams: reads everything in the background (so server
/// pings are answered), keeps the trades it receives, matches answers to requests by id, and spaces its own requests
/// by <see cref="RequestSpacing"/> so that it stays under Binance's 5 incoming messages per second.
/// </summary>
internal sealed class StreamClient : IAsyncDisposable
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(20);

    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<string>> _pending = new();
    private readonly ConcurrentQueue<string> _others = new();
    private readonly List<(string Symbol, long Id)> _trades = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly PeriodicTimer _pacer = new(TimeSpan.FromMilliseconds(5));
    private long _lastSend;
    private Task _receiving = Task.CompletedTask;
    private long _nextId;

    private StreamClient()
    {
        // No unsolicited pongs: they would count against the message rate.
        _socket.Options.KeepAliveInterval = TimeSpan.Zero;
    }

    /// <summary>Least time between two requests; zero sends at once.</summary>
    public TimeSpan RequestSpacing { get; private init; }

    /// <summary>Completes when the connection has ended (close frame or drop).</summary>
    public Task Ended => _receiving;

    /// <summary>The close status the server sent, if it closed with a frame.</summary>
    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    /// <summary>Messages that were neither trades nor answers to a request (events, answers without an id).</summary>
    public IReadOnlyCollection<string> Others => _others;

    /// <summary>The trades received so far, in arrival order.</summary>
    public (string Symbol, long Id)[] Trades
    {
        get
        {
            lock (_trades)
            {
                return [.. _trades];
            }
        }
    }

    public int TradeCount
    {
        get
        {
            lock (_trades)
            {
                return _trades.Count;
            }
        }
    }

    /// <summary>Connects to /stream?streams= with <paramref name="urlStreams"/>.</summary>
    public static async Task<StreamClient> ConnectAsync(FakeBinanceExchange exchange, IEnumerable<string> urlStreams, TimeSpan? requestSpacing = null)
    {
        var client = new StreamClient { RequestSpacing = requestSpacing ?? TimeSpan.FromMilliseconds(350) };

        using var timeout = new CancellationTokenSource(AnswerTimeout);
        await client._socket.ConnectAsync(new Uri(exchange.StreamBaseUrl, "/stream?streams=" + string.Join('/', urlStreams)), timeout.Token);
        client._receiving = Task.Run(client.ReceiveLoopAsync);
        return client;
    }

    /// <summary>Sends a request and returns its answer (the one with the same id).</summary>
    public async Task<JsonElement> RequestAsync(string method, IEnumerable<string>? parameters = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var request = JsonSerializer.Serialize(parameters is null
            ? new Dictionary<string, object> { ["method"] = method, ["id"] = id }
            : new Dictionary<string, object> { ["method"] = method, ["params"] = parameters.ToArray(), ["id"] = id });
        return await RequestAsync(request, id);
    }

    /// <summary>Sends <paramref name="json"/> (which must carry <paramref name="id"/>) and returns the answer with that id.</summary>
    public async Task<JsonElement> RequestAsync(string json, long id)
    {
        var answer = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        if (_receiving.IsCompleted)
        {
            throw new WebSocketException("The connection has ended.");
        }

        await SendTextAsync(json);
        var text = await answer.Task.WaitAsync(AnswerTimeout);
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary>Sends one text message, paced.</summary>
    public async Task SendTextAsync(string text)
    {
        await _sending.WaitAsync();
        try
        {
            // Paces this client's load (the rule under test is the rate), waiting for no result: at least RequestSpacing
            // between two sends, so any one second holds at most ceil(1 s / spacing) of them.
            for (var tick = 0; _lastSend != 0 && Stopwatch.GetElapsedTime(_lastSend) < RequestSpacing && tick < 100_000; tick++)
            {
                await _pacer.WaitForNextTickAsync();
            }

            await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
            _lastSend = Stopwatch.GetTimestamp();
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>Subscribes <paramref name="streams"/> in SUBSCRIBE frames of at most <paramref name="maxBytes"/> and confirms them.</summary>
    public async Task SubscribeAsync(IReadOnlyList<string> streams, int maxBytes = 3800)
    {
        var batch = new List<string>();
        var bytes = 64;
        foreach (var s in streams)
        {
            if (batch.Count > 0 && bytes + s.Length + 3 > maxBytes)
            {
                await ExpectNullResultAsync(await RequestAsync("SUBSCRIBE", batch));
                batch.Clear();
                bytes = 64;
            }

            batch.Add(s);
            bytes += s.Length + 3;
        }

        if (batch.Count > 0)
        {
            await ExpectNullResultAsync(await RequestAsync("SUBSCRIBE", batch));
        }
    }

    /// <summary>The streams LIST_SUBSCRIPTIONS reports.</summary>
    public async Task<string[]> ListAsync()
    {
        var answer = await RequestAsync("LIST_SUBSCRIPTIONS");
        return answer.GetProperty("result").EnumerateArray().Select(e => e.GetString()!).ToArray();
    }

    private static Task ExpectNullResultAsync(JsonElement answer)
    {
        answer.TryGetProperty("result", out var result).Should().BeTrue(answer.GetRawText());
        result.ValueKind.Should().Be(JsonValueKind.Null, answer.GetRawText());
        return Task.CompletedTask;
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                message.SetLength(0);
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(), _stop.Token);
                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                Dispatch(Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length));
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection ended.
        }
        finally
        {
            // No answer can come any more: requests still waiting fail now rather than at their timeout.
            foreach (var waiter in _pending.Values)
            {
                waiter.TrySetException(new WebSocketException("The connection ended before the answer."));
            }
        }
    }

    private void Dispatch(string text)
    {
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement;
        if (root.TryGetProperty("stream", out _) && root.TryGetProperty("data", out var data)
            && data.TryGetProperty("e", out var e) && e.GetString() == "trade")
        {
            lock (_trades)
            {
                _trades.Add((data.GetProperty("s").GetString()!, data.GetProperty("t").GetInt64()));
            }

            return;
        }

        if (root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number && _pending.TryRemove(id.GetInt64(), out var waiter))
        {
            waiter.TrySetResult(text);
            return;
        }

        _others.Enqueue(text);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Abort();
        try
        {
            await _receiving;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Over.
        }

        _socket.Dispose();
        _pacer.Dispose();
        _stop.Dispose();
        _sending.Dispose();
    }
}
