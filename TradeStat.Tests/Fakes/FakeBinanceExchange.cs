using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TradeStat.Tests.Fakes;

/// <summary>One recorded trade: its id, price string and the exact combined-stream line Binance sent.</summary>
public sealed record RecordedTrade(string Symbol, long Id, string Price, string Line);

/// <summary>Something the fake does to a connection once it has sent a number of trades on it.</summary>
public sealed record FakeAction(FakeActionKind Kind, int AfterTrades);

/// <summary>Kinds of <see cref="FakeAction"/>.</summary>
public enum FakeActionKind
{
    /// <summary>Abort the TCP connection (no close handshake).</summary>
    Drop,

    /// <summary>Send the serverShutdown event, keep streaming for a grace period, then drop.</summary>
    ServerShutdown,

    /// <summary>Send the last trade again as one message padded with whitespace to <see cref="FakeBinanceExchange.HugeFrameBytes"/>.</summary>
    HugeFrame,
}

/// <summary>
/// A local stand-in for Binance on 127.0.0.1 (Kestrel, port 0) speaking its documented protocol: GET /api/v3/exchangeInfo,
/// GET /api/v3/historicalTrades, and combined streams at /stream?streams= with SUBSCRIBE / UNSUBSCRIBE /
/// LIST_SUBSCRIPTIONS, server pings (WebSocket keep-alive with a pong timeout: a client that does not pong is cut off),
/// scripted drops and serverShutdown events, and malformed frames. Trades are published on a tape per symbol; each
/// connection receives the trades published while it is subscribed, as on the real exchange.
/// </summary>
public sealed class FakeBinanceExchange : IAsyncDisposable
{
    private byte[] _exchangeInfo;
    private readonly Dictionary<string, RecordedTrade[]> _trades;
    private readonly ConcurrentDictionary<string, int> _tape = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FakeAction> _actions;
    private readonly ConcurrentBag<string> _urls = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Connection> _connections = [];
    private WebApplication? _app;
    private int _connectionCount;
    private int _subscribeCount;
    private int _historicalRequests;
    private int _exchangeInfoRequests;
    private int _malformedSent;
    private int _pongsReceived;
    private int _pongTimeouts;
    private double _maxClientMessagesPerSecond;

    public FakeBinanceExchange(byte[] exchangeInfo, IEnumerable<RecordedTrade> trades, IEnumerable<FakeAction> actions)
    {
        _exchangeInfo = exchangeInfo;
        _trades = trades.GroupBy(t => t.Symbol).ToDictionary(g => g.Key, g => g.OrderBy(t => t.Id).ToArray(), StringComparer.Ordinal);
        foreach (var symbol in _trades.Keys)
        {
            _tape[symbol] = 0;
        }

        _actions = new ConcurrentQueue<FakeAction>(actions);
    }

    /// <summary>Size of the message sent by <see cref="FakeActionKind.HugeFrame"/>.</summary>
    public int HugeFrameBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Server ping interval; a client that has not answered within <see cref="PongTimeout"/> is disconnected.</summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan PongTimeout { get; init; } = TimeSpan.FromMilliseconds(1000);

    /// <summary>Send a malformed text frame after every this many trades on a connection (0: never).</summary>
    public int MalformedEvery { get; init; } = 500;

    /// <summary>The first SUBSCRIBE is acknowledged but ignored, as users report of oversize requests.</summary>
    public bool IgnoreFirstSubscribe { get; init; } = true;

    /// <summary>How long a connection keeps streaming after its serverShutdown event.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>The exchangeInfo answer from now on (listings and delistings).</summary>
    public byte[] ExchangeInfo
    {
        get => Volatile.Read(ref _exchangeInfo);
        set => Volatile.Write(ref _exchangeInfo, value);
    }

    /// <summary>True when some open connection is subscribed to <paramref name="stream"/>.</summary>
    public bool IsSubscribed(string stream)
    {
        lock (_connections)
        {
            return _connections.Any(c => c.IsSubscribed(stream));
        }
    }

    public Uri RestBaseUrl { get; private set; } = null!;

    public Uri StreamBaseUrl { get; private set; } = null!;

    public int Connections => Volatile.Read(ref _connectionCount);

    public int HistoricalRequests => Volatile.Read(ref _historicalRequests);

    /// <summary>GET /api/v3/exchangeInfo requests answered so far.</summary>
    public int ExchangeInfoRequests => Volatile.Read(ref _exchangeInfoRequests);

    public int MalformedSent => Volatile.Read(ref _malformedSent);

    /// <summary>Pong frames received on all connections so far: each answers one of the server's pings.</summary>
    public int PongsReceived => Volatile.Read(ref _pongsReceived);

    /// <summary>Connections the server cut off because a ping went unanswered for <see cref="PongTimeout"/>.</summary>
    public int PongTimeouts => Volatile.Read(ref _pongTimeouts);

    public int PendingActions => _actions.Count;

    public IReadOnlyCollection<string> Urls => _urls;

    /// <summary>Most messages a client sent on one connection within any one second.</summary>
    public double MaxClientMessagesPerSecond => Volatile.Read(ref _maxClientMessagesPerSecond);

    /// <summary>True once every published symbol's stream is subscribed on some open connection.</summary>
    public bool AllRecordedStreamsSubscribed
    {
        get
        {
            lock (_connections)
            {
                return _trades.Keys.All(s => _connections.Any(c => c.IsSubscribed(StreamName(s))));
            }
        }
    }

    /// <summary>True when every trade has been published.</summary>
    public bool TapeFinished => _trades.All(kv => _tape[kv.Key] >= kv.Value.Length);

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.Use((context, next) =>
        {
            // Pongs are control frames that WebSocket.ReceiveAsync never returns: count them in the bytes under the socket.
            if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
            {
                context.Features.Set<IHttpUpgradeFeature>(new PongCountingUpgrade(upgrade, () => Interlocked.Increment(ref _pongsReceived)));
            }

            return next(context);
        });
        _app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = PingInterval, KeepAliveTimeout = PongTimeout });
        _app.MapGet("/api/v3/exchangeInfo", () =>
        {
            Interlocked.Increment(ref _exchangeInfoRequests);
            return Results.Bytes(ExchangeInfo, "application/json");
        });
        _app.MapGet("/api/v3/historicalTrades", HistoricalTrades);
        _app.Map("/stream", StreamAsync);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        RestBaseUrl = new Uri(address);
        StreamBaseUrl = new Uri(address.Replace("http://", "ws://", StringComparison.Ordinal));
    }

    /// <summary>Publishes <paramref name="step"/> trades per symbol every <paramref name="interval"/> until the tape ends.</summary>
    public Task PublishAsync(int step, TimeSpan interval) => Task.Run(async () =>
    {
        while (!TapeFinished && !_stopping.IsCancellationRequested)
        {
            foreach (var (symbol, trades) in _trades)
            {
                _tape.AddOrUpdate(symbol, 0, (_, n) => Math.Min(trades.Length, n + step));
            }

            await Task.Delay(interval);
        }
    });

    private static string StreamName(string symbol) => symbol.ToLowerInvariant() + "@trade";

    private IResult HistoricalTrades(string symbol, long fromId, int? limit)
    {
        Interlocked.Increment(ref _historicalRequests);
        if (!_trades.TryGetValue(symbol, out var trades))
        {
            return Results.Json(new { code = -1121, msg = "Invalid symbol." }, statusCode: 400);
        }

        var take = Math.Clamp(limit ?? 500, 1, 1000);
        var rows = trades.Where(t => t.Id >= fromId).Take(take)
            .Select(t => new { id = t.Id, price = t.Price, qty = "1.00000000", quoteQty = t.Price, time = 0L, isBuyerMaker = true, isBestMatch = true });
        return Results.Json(rows);
    }

    private async Task StreamAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }

        var url = context.Request.Scheme + "://" + context.Request.Host + context.Request.Path + context.Request.QueryString;
        _urls.Add(url);
        if (url.Length > 8000)
        {
            context.Response.StatusCode = 414;
            return;
        }

        var streams = (context.Request.Query["streams"].ToString() ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new Connection(this, socket, Interlocked.Increment(ref _connectionCount));
        foreach (var s in streams)
        {
            connection.Subscribe(s);
        }

        lock (_connections)
        {
            _connections.Add(connection);
        }

        try
        {
            await connection.RunAsync(_stopping.Token);
        }
        finally
        {
            lock (_connections)
            {
                _connections.Remove(connection);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _stopping.Dispose();
    }

    private sealed class Connection(FakeBinanceExchange exchange, WebSocket socket, int number)
    {
        private readonly Dictionary<string, int> _cursors = new(StringComparer.Ordinal);
        private readonly SemaphoreSlim _send = new(1, 1);
        private readonly Queue<DateTime> _received = new();
        private int _tradesSent;

        public bool IsSubscribed(string stream)
        {
            lock (_cursors)
            {
                return _cursors.ContainsKey(stream);
            }
        }

        public void Subscribe(string stream)
        {
            lock (_cursors)
            {
                if (!_cursors.ContainsKey(stream))
                {
                    // Trades published from now on are delivered on this connection.
                    var symbol = stream.Split('@')[0].ToUpperInvariant();
                    _cursors[stream] = exchange._tape.GetValueOrDefault(symbol);
                }
            }
        }

        public async Task RunAsync(CancellationToken stopping)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            var receive = ReceiveAsync(cts.Token);
            var send = SendLoopAsync(cts.Token);
            await Task.WhenAny(receive, send);
            await cts.CancelAsync();
            socket.Abort();
            try
            {
                await Task.WhenAll(receive, send);
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
            {
                // The connection is over.
            }
        }

        private async Task SendLoopAsync(CancellationToken token)
        {
            DateTime? shutdownAt = null;
            var lines = new List<string>();
            while (!token.IsCancellationRequested)
            {
                lines.Clear();
                lock (_cursors)
                {
                    foreach (var stream in _cursors.Keys.ToArray())
                    {
                        var symbol = stream.Split('@')[0].ToUpperInvariant();
                        if (!exchange._trades.TryGetValue(symbol, out var trades))
                        {
                            continue;
                        }

                        var published = exchange._tape[symbol];
                        for (var i = _cursors[stream]; i < published; i++)
                        {
                            lines.Add(trades[i].Line);
                        }

                        _cursors[stream] = Math.Max(_cursors[stream], published);
                    }
                }

                foreach (var line in lines)
                {
                    await SendAsync(line, token);
                    _tradesSent++;
                    if (exchange.MalformedEvery > 0 && _tradesSent % exchange.MalformedEvery == 0)
                    {
                        await SendAsync("{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"s\":", token);
                        Interlocked.Increment(ref exchange._malformedSent);
                    }

                    if (shutdownAt is null && exchange._actions.TryPeek(out var action) && _tradesSent >= action.AfterTrades
                        && exchange._actions.TryDequeue(out action))
                    {
                        if (action.Kind == FakeActionKind.Drop)
                        {
                            return;
                        }

                        if (action.Kind == FakeActionKind.HugeFrame)
                        {
                            // Valid JSON (the same trade, whitespace before its first member): only its size is wrong.
                            await SendAsync("{" + new string(' ', Math.Max(0, exchange.HugeFrameBytes - line.Length)) + line[1..], token);
                            continue;
                        }

                        await SendAsync("{\"e\":\"serverShutdown\",\"E\":1723161255343}", token);
                        shutdownAt = DateTime.UtcNow;
                    }
                }

                if (shutdownAt is { } at && DateTime.UtcNow - at > exchange.ShutdownGrace)
                {
                    return;
                }

                await Task.Delay(2, token);
            }
        }

        private async Task ReceiveAsync(CancellationToken token)
        {
            var buffer = new byte[64 * 1024];
            while (!token.IsCancellationRequested)
            {
                var count = 0;
                WebSocketReceiveResult result;
                do
                {
                    try
                    {
                        result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, count, buffer.Length - count), token);
                    }
                    catch (OperationCanceledException) when (!token.IsCancellationRequested && socket.State == WebSocketState.Aborted)
                    {
                        // The keep-alive aborts the socket from inside when a ping goes unanswered. Every other end of a
                        // connection cancels the token first (the fake's own drops) or arrives as a close or a WebSocketException.
                        Interlocked.Increment(ref exchange._pongTimeouts);
                        throw;
                    }
                    count += result.Count;
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, token);
                    return;
                }

                RecordRate();
                await HandleRequestAsync(buffer.AsMemory(0, count), token);
            }
        }

        private void RecordRate()
        {
            var now = DateTime.UtcNow;
            _received.Enqueue(now);
            while (now - _received.Peek() >= TimeSpan.FromSeconds(1))
            {
                _received.Dequeue();
            }

            if (_received.Count > exchange._maxClientMessagesPerSecond)
            {
                exchange._maxClientMessagesPerSecond = _received.Count;
            }
        }

        private async Task HandleRequestAsync(ReadOnlyMemory<byte> message, CancellationToken token)
        {
            using var doc = JsonDocument.Parse(message);
            var root = doc.RootElement;
            var id = root.GetProperty("id").GetInt64();
            var method = root.GetProperty("method").GetString();
            var parameters = root.TryGetProperty("params", out var p) ? p.EnumerateArray().Select(e => e.GetString()!).ToArray() : [];
            switch (method)
            {
                case "SUBSCRIBE":
                    var ignore = exchange.IgnoreFirstSubscribe && Interlocked.Increment(ref exchange._subscribeCount) == 1;
                    if (!ignore)
                    {
                        foreach (var s in parameters)
                        {
                            Subscribe(s);
                        }
                    }

                    await SendAsync($"{{\"result\":null,\"id\":{id}}}", token);
                    break;
                case "UNSUBSCRIBE":
                    lock (_cursors)
                    {
                        foreach (var s in parameters)
                        {
                            _cursors.Remove(s);
                        }
                    }

                    await SendAsync($"{{\"result\":null,\"id\":{id}}}", token);
                    break;
                case "LIST_SUBSCRIPTIONS":
                    string[] list;
                    lock (_cursors)
                    {
                        list = [.. _cursors.Keys];
                    }

                    await SendAsync(JsonSerializer.Serialize(new { result = list, id }), token);
                    break;
                default:
                    await SendAsync($"{{\"error\":{{\"code\":2,\"msg\":\"Invalid request\"}},\"id\":{id}}}", token);
                    break;
            }
        }

        private async Task SendAsync(string text, CancellationToken token)
        {
            await _send.WaitAsync(token);
            try
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, token);
            }
            finally
            {
                _send.Release();
            }
        }

        public override string ToString() => $"connection {number}";
    }

    /// <summary>The upgrade of a WebSocket request, with the client's bytes read through a <see cref="PongCountingStream"/>.</summary>
    private sealed class PongCountingUpgrade(IHttpUpgradeFeature inner, Action onPong) : IHttpUpgradeFeature
    {
        public bool IsUpgradableRequest => inner.IsUpgradableRequest;

        public async Task<Stream> UpgradeAsync() => new PongCountingStream(await inner.UpgradeAsync(), onPong);
    }

    /// <summary>
    /// The server's side of an upgraded connection, passed through unchanged; the frames the client sends (RFC 6455 5.2:
    /// a 2-byte header, a 16- or 64-bit length when the 7-bit one is 126 or 127, a 4-byte mask, the payload) are walked
    /// to count the pongs (opcode 0xA).
    /// </summary>
    private sealed class PongCountingStream(Stream inner, Action onPong) : Stream
    {
        private readonly byte[] _header = new byte[14];
        private int _headerLength;
        private long _payloadLeft;

        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => false;

        public override bool CanWrite => inner.CanWrite;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            Walk(buffer.Span[..read]);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            Walk(buffer.AsSpan(offset, read));
            return read;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.WriteAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            inner.WriteAsync(buffer, offset, count, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override void Flush() => inner.Flush();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override ValueTask DisposeAsync() => inner.DisposeAsync();

        private void Walk(ReadOnlySpan<byte> bytes)
        {
            while (!bytes.IsEmpty)
            {
                if (_payloadLeft > 0)
                {
                    var skip = (int)Math.Min(_payloadLeft, bytes.Length);
                    _payloadLeft -= skip;
                    bytes = bytes[skip..];
                    continue;
                }

                _header[_headerLength++] = bytes[0];
                bytes = bytes[1..];
                if (_headerLength < 2 || _headerLength < HeaderSize())
                {
                    continue;
                }

                if ((_header[0] & 0x0F) == 0xA)
                {
                    onPong();
                }

                _payloadLeft = (_header[1] & 0x7F) switch
                {
                    126 => BinaryPrimitives.ReadUInt16BigEndian(_header.AsSpan(2)),
                    127 => (long)BinaryPrimitives.ReadUInt64BigEndian(_header.AsSpan(2)),
                    var length => length,
                };
                _headerLength = 0;
            }
        }

        private int HeaderSize()
        {
            var length = _header[1] & 0x7F;
            var extended = length == 126 ? 2 : length == 127 ? 8 : 0;
            var mask = (_header[1] & 0x80) != 0 ? 4 : 0;
            return 2 + extended + mask;
        }
    }
}
