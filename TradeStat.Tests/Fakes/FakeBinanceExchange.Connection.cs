using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace TradeStat.Tests.Fakes;

// One combined-stream WebSocket: its subscriptions, the loop that streams the tapes to it and the loop that answers its requests.
public sealed partial class FakeBinanceExchange
{
    private sealed class Connection(FakeBinanceExchange exchange, WebSocket socket, HttpContext context, Wire wire, int number)
    {
        private const string Methods = "`SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`";

        // Subscriptions in an array-backed list (index kept in each) plus a name index: the send loop walks the list
        // comparing integer cursors, and subscribe / unsubscribe cost O(1) however many streams the connection carries.
        private readonly Dictionary<string, Subscription> _byStream = new(StringComparer.Ordinal);
        private readonly List<Subscription> _subscriptions = [];
        private readonly SemaphoreSlim _send = new(1, 1);
        private readonly CancellationTokenSource _ended = new();
        private readonly Lock _rate = new();
        private readonly Lock _life = new();
        private bool _over;
        private bool _ending;
        private CancellationToken _token;
        private int _closeAfter = -1;
        private int _received;
        private int _handled;
        private bool _closeStarted;
        private volatile bool _closing;
        private int _tradesSent;

        public bool IsSubscribed(string stream)
        {
            lock (_subscriptions)
            {
                return _byStream.ContainsKey(stream);
            }
        }

        public void AddStreamsTo(HashSet<string> streams)
        {
            lock (_subscriptions)
            {
                foreach (var s in _subscriptions)
                {
                    streams.Add(s.Stream);
                }
            }
        }

        /// <summary>Subscribes <paramref name="stream"/>: trades published from now on are delivered on this connection.</summary>
        public void Subscribe(string stream)
        {
            lock (_subscriptions)
            {
                if (!_byStream.ContainsKey(stream))
                {
                    var tape = exchange.TapeForStream(stream);
                    var subscription = new Subscription(stream, tape) { Cursor = tape?.Published ?? 0, Index = _subscriptions.Count };
                    _subscriptions.Add(subscription);
                    _byStream[stream] = subscription;
                }
            }
        }

        private void Unsubscribe(string stream)
        {
            lock (_subscriptions)
            {
                if (_byStream.Remove(stream, out var subscription))
                {
                    var last = _subscriptions[^1];
                    _subscriptions[subscription.Index] = last;
                    last.Index = subscription.Index;
                    _subscriptions.RemoveAt(_subscriptions.Count - 1);
                }
            }
        }

        private int SubscriptionCount
        {
            get
            {
                lock (_subscriptions)
                {
                    return _subscriptions.Count;
                }
            }
        }

        /// <summary>False from the moment the connection starts to end (a drop, a close, a timeout).</summary>
        public bool Live => !Volatile.Read(ref _ending);

        /// <summary>Cuts the connection (TCP abort, no close frame); false when it was already ending.</summary>
        public bool Drop()
        {
            lock (_life)
            {
                // Once the handler is done its HttpContext belongs to Kestrel again: nothing to abort.
                if (_over || Volatile.Read(ref _ending))
                {
                    return false;
                }

                Volatile.Write(ref _ending, true);
                _ended.Cancel();
                context.Abort();
                return true;
            }
        }

        public async Task RunAsync(CancellationToken stopping)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, _ended.Token);
            _token = linked.Token;
            wire.OnExceeded(OnRateExceeded);
            var receive = ReceiveLoopAsync(_token);
            var send = SendLoopAsync(_token);
            var ping = exchange.PingInterval > TimeSpan.Zero ? PingLoopAsync(_token) : WaitUntilOverAsync(_token);
            await Task.WhenAny(receive, send, ping);
            Volatile.Write(ref _ending, true);
            await linked.CancelAsync();
            socket.Abort();
            try
            {
                await Task.WhenAll(receive, send, ping);
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException or IOException or InvalidOperationException)
            {
                // The connection is over.
            }
            finally
            {
                lock (_life)
                {
                    _over = true;
                }

                _ended.Dispose();
            }
        }

        // ---- Sending ----------------------------------------------------------------------------------------------

        private async Task SendLoopAsync(CancellationToken token)
        {
            long shutdownAt = 0;
            var ranges = new List<(SymbolTape Tape, int From, int To)>();
            while (!token.IsCancellationRequested)
            {
                // Taken before the cursors are compared, so a trade published meanwhile wakes the next round.
                var next = exchange.NextPublication;
                ranges.Clear();
                lock (_subscriptions)
                {
                    foreach (var s in _subscriptions)
                    {
                        if (s.Tape is { } tape)
                        {
                            var published = tape.Published;
                            if (s.Cursor < published)
                            {
                                ranges.Add((tape, s.Cursor, published));
                                s.Cursor = published;
                            }
                        }
                    }
                }

                foreach (var (tape, from, to) in ranges)
                {
                    for (var i = from; i < to; i++)
                    {
                        // Counted before the send, so that a client holding the trade always sees it counted.
                        Interlocked.Increment(ref exchange._tradesDelivered);
                        if (!await SendAsync(tape.Lines[i], token))
                        {
                            Interlocked.Decrement(ref exchange._tradesDelivered);
                            await WaitUntilOverAsync(token);
                            return;
                        }

                        _tradesSent++;
                        if (exchange.MalformedEvery > 0 && _tradesSent % exchange.MalformedEvery == 0)
                        {
                            await SendAsync("{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"s\":", token);
                            Interlocked.Increment(ref exchange._malformedSent);
                        }

                        if (shutdownAt == 0 && exchange._actions.TryPeek(out var action) && _tradesSent >= action.AfterTrades
                            && exchange._actions.TryDequeue(out action))
                        {
                            switch (action.Kind)
                            {
                                case FakeActionKind.Drop:
                                    return;
                                case FakeActionKind.HugeFrame:
                                    // Valid JSON (the same trade, whitespace before its first member): only its size is wrong.
                                    var line = tape.Trades[i].Line;
                                    await SendAsync("{" + new string(' ', Math.Max(0, exchange.HugeFrameBytes - line.Length)) + line[1..], token);
                                    break;
                                default:
                                    var at = exchange.Clock.GetUtcNow().ToUnixTimeMilliseconds();
                                    await SendAsync($"{{\"stream\":\"!serverShutdown\",\"data\":{{\"e\":\"serverShutdown\",\"E\":{at}}}}}", token);
                                    shutdownAt = Stopwatch.GetTimestamp();
                                    break;
                            }
                        }
                    }
                }

                if (shutdownAt != 0)
                {
                    var left = exchange.ShutdownGrace - Stopwatch.GetElapsedTime(shutdownAt);
                    if (left <= TimeSpan.Zero)
                    {
                        return;
                    }

                    await Task.WhenAny(next, Task.Delay(left, token));
                    token.ThrowIfCancellationRequested();
                }
                else if (ranges.Count == 0)
                {
                    await next.WaitAsync(token);
                }
            }
        }

        private static Task WaitUntilOverAsync(CancellationToken token) => Task.Delay(Timeout.Infinite, token);

        private Task<bool> SendAsync(string text, CancellationToken token) => SendAsync(Encoding.UTF8.GetBytes(text), token);

        /// <summary>Sends one text message; false once the connection is closing (nothing may follow a close frame).</summary>
        private async Task<bool> SendAsync(ReadOnlyMemory<byte> message, CancellationToken token)
        {
            await _send.WaitAsync(token);
            try
            {
                if (_closing)
                {
                    return false;
                }

                await socket.SendAsync(message, WebSocketMessageType.Text, true, token);
                Interlocked.Increment(ref exchange._messagesSent);
                return true;
            }
            finally
            {
                _send.Release();
            }
        }

        // ---- Pings ------------------------------------------------------------------------------------------------

        // A ping every PingInterval from the connection's start, whatever the traffic; the connection ends (a pong
        // timeout) once its oldest unanswered ping is older than PongTimeout. Checked four times per the shorter of the
        // two, so the cut comes soon after the deadline.
        private async Task PingLoopAsync(CancellationToken token)
        {
            var interval = exchange.PingInterval;
            var timeout = exchange.PongTimeout;
            var beat = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(5).Ticks, Math.Min(interval.Ticks, timeout.Ticks) / 4));
            using var timer = new PeriodicTimer(beat);
            var lastPing = Stopwatch.GetTimestamp();
            long payload = 0;
            while (await timer.WaitForNextTickAsync(token))
            {
                if (wire.UnansweredSince is { } since && Stopwatch.GetElapsedTime(since) > timeout)
                {
                    Interlocked.Increment(ref exchange._pongTimeouts);
                    return;
                }

                if (Stopwatch.GetElapsedTime(lastPing) >= interval)
                {
                    lastPing = Stopwatch.GetTimestamp();
                    bool closing;
                    await _send.WaitAsync(token);
                    try
                    {
                        closing = _closing;
                        if (!closing)
                        {
                            await wire.PingAsync(++payload, token);
                        }
                    }
                    finally
                    {
                        _send.Release();
                    }

                    if (closing)
                    {
                        // Nothing may follow a close frame; the close handshake (or its timeout) ends the connection.
                        await WaitUntilOverAsync(token);
                        return;
                    }
                }
            }
        }

        // ---- Receiving --------------------------------------------------------------------------------------------

        private async Task ReceiveLoopAsync(CancellationToken token)
        {
            // Room for the largest request answered; anything longer is read through this buffer and dropped.
            var buffer = new byte[Math.Max(exchange.MaxRequestBytes + 1, 1024)];
            while (!token.IsCancellationRequested)
            {
                var count = 0;
                var oversized = false;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (count == buffer.Length)
                    {
                        oversized = true;
                        count = 0;
                    }

                    result = await socket.ReceiveAsync(buffer.AsMemory(count), token);
                    count += result.Count;
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        await _send.WaitAsync(token);
                        try
                        {
                            _closing = true;
                            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, token);
                        }
                        finally
                        {
                            _send.Release();
                        }
                    }

                    return;
                }

                bool ignored;
                lock (_rate)
                {
                    _received++;
                    ignored = _closeAfter >= 0 && _received > _closeAfter;
                }

                if (ignored)
                {
                    continue;
                }

                if (oversized || count > exchange.MaxRequestBytes)
                {
                    // Binance gives requests over its size limit no answer at all.
                    Interlocked.Increment(ref exchange._oversizedRequestsIgnored);
                }
                else if (result.MessageType == WebSocketMessageType.Text)
                {
                    await HandleRequestAsync(buffer.AsMemory(0, count), token);
                }

                bool close;
                lock (_rate)
                {
                    _handled++;
                    close = _closeAfter >= 0 && !_closeStarted && _handled >= _closeAfter;
                    _closeStarted |= close;
                }

                if (close)
                {
                    await CloseForRateAsync();
                }
            }
        }

        // Called from under the socket when a message passes the rate: the messages before it are still answered (the
        // receive loop closes after the last of them), and if they all were, the close goes out now.
        private void OnRateExceeded(int after)
        {
            bool close;
            lock (_rate)
            {
                _closeAfter = after;
                close = !_closeStarted && _handled >= after;
                _closeStarted |= close;
            }

            if (close)
            {
                _ = Task.Run(CloseForRateAsync);
            }
        }

        private async Task CloseForRateAsync()
        {
            Interlocked.Increment(ref exchange._rateLimitCloses);
            try
            {
                await _send.WaitAsync(_token);
                try
                {
                    _closing = true;
                    await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "Too many requests", _token);
                }
                finally
                {
                    _send.Release();
                }

                // The client's close frame ends the receive loop; one that never comes is cut off.
                lock (_life)
                {
                    if (!_over)
                    {
                        _ended.CancelAfter(exchange.CloseHandshakeTimeout);
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException or IOException)
            {
                _ = Drop();
            }
        }

        // ---- Requests ---------------------------------------------------------------------------------------------

        private async Task HandleRequestAsync(ReadOnlyMemory<byte> message, CancellationToken token)
        {
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(message);
            }
            catch (JsonException e)
            {
                await ErrorAsync(3, $"Invalid JSON: expected value at line {(e.LineNumber ?? 0) + 1} column {(e.BytePositionInLine ?? 0) + 1}", null, token);
                return;
            }

            using (doc)
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    await ErrorAsync(2, "Invalid request: expected an object", null, token);
                    return;
                }

                if (!root.TryGetProperty("id", out var idElement))
                {
                    await ErrorAsync(2, "Invalid request: missing field `id`", null, token);
                    return;
                }

                var id = idElement.ValueKind switch
                {
                    JsonValueKind.Number when idElement.TryGetUInt64(out _) => idElement.GetRawText(),
                    JsonValueKind.Null => "null",
                    _ => null,
                };
                if (id is null)
                {
                    await ErrorAsync(2, "Invalid request: request ID must be an unsigned integer", null, token);
                    return;
                }

                if (!root.TryGetProperty("method", out var methodElement) || methodElement.ValueKind != JsonValueKind.String)
                {
                    await ErrorAsync(2, "Invalid request: missing field `method`", id, token);
                    return;
                }

                var method = methodElement.GetString()!;
                var hasParams = root.TryGetProperty("params", out var p);
                string[]? streams = hasParams && p.ValueKind == JsonValueKind.Array && p.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
                    ? p.EnumerateArray().Select(e => e.GetString()!).ToArray()
                    : null;
                switch (method)
                {
                    case "SUBSCRIBE" or "UNSUBSCRIBE" when streams is null:
                        await ErrorAsync(2, "Invalid request: params must be an array of stream names (strings)", id, token);
                        break;
                    case "SUBSCRIBE":
                        await SubscribeAsync(streams!, id, token);
                        break;
                    case "UNSUBSCRIBE":
                        foreach (var s in streams!)
                        {
                            Unsubscribe(s);
                        }

                        await ResultAsync(id, null, token);
                        break;
                    case "LIST_SUBSCRIPTIONS":
                        string[] list;
                        lock (_subscriptions)
                        {
                            list = _subscriptions.Select(s => s.Stream).ToArray();
                        }

                        await ResultAsync(id, list, token);
                        break;
                    case "SET_PROPERTY":
                        await ResultAsync(id, null, token);
                        break;
                    case "GET_PROPERTY":
                        await SendJsonAsync(w =>
                        {
                            w.WriteBoolean("result", true);
                            w.WritePropertyName("id");
                            w.WriteRawValue(id);
                        }, token);
                        break;
                    default:
                        await ErrorAsync(2, $"Invalid request: unknown variant `{method}`, expected one of {Methods}", id, token);
                        break;
                }
            }
        }

        private async Task SubscribeAsync(string[] streams, string id, CancellationToken token)
        {
            var refused = exchange.RefusedStreams;
            if (streams.FirstOrDefault(refused.Contains) is { } bad)
            {
                await ErrorAsync(2, $"Invalid request: stream {bad} cannot be subscribed", id, token);
                return;
            }

            if (exchange.IgnoreFirstSubscribe && Interlocked.Increment(ref exchange._subscribeCount) == 1)
            {
                await ResultAsync(id, null, token);
                return;
            }

            var silent = exchange.SilentStreams;
            var wanted = streams.Where(s => !silent.Contains(s)).Distinct(StringComparer.Ordinal).ToArray();
            if (SubscriptionCount + wanted.Count(s => !IsSubscribed(s)) > exchange.MaxStreamsPerConnection)
            {
                await ErrorAsync(2, $"Invalid request: a connection carries at most {exchange.MaxStreamsPerConnection} streams", id, token);
                return;
            }

            foreach (var s in wanted)
            {
                Subscribe(s);
            }

            await ResultAsync(id, null, token);
        }

        private Task ResultAsync(string id, string[]? result, CancellationToken token) => SendJsonAsync(w =>
        {
            w.WritePropertyName("result");
            if (result is null)
            {
                w.WriteNullValue();
            }
            else
            {
                w.WriteStartArray();
                foreach (var s in result)
                {
                    w.WriteStringValue(s);
                }

                w.WriteEndArray();
            }

            w.WritePropertyName("id");
            w.WriteRawValue(id);
        }, token);

        // Binance's stream requests fail in the flat form: {"code":2,"msg":"Invalid request: ...","id":N}.
        private Task ErrorAsync(int code, string message, string? id, CancellationToken token)
        {
            Interlocked.Increment(ref exchange._requestErrors);
            return SendJsonAsync(w =>
            {
                w.WriteNumber("code", code);
                w.WriteString("msg", message);
                if (id is not null)
                {
                    w.WritePropertyName("id");
                    w.WriteRawValue(id);
                }
            }, token);
        }

        private async Task SendJsonAsync(Action<Utf8JsonWriter> members, CancellationToken token)
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                members(writer);
                writer.WriteEndObject();
            }

            await SendAsync(buffer.WrittenMemory, token);
        }

        public override string ToString() => $"connection {number}";
    }

    /// <summary>One stream of a connection: its tape (none for a stream without trades) and the next trade to deliver.</summary>
    private sealed class Subscription(string stream, SymbolTape? tape)
    {
        public string Stream { get; } = stream;

        public SymbolTape? Tape { get; } = tape;

        public int Cursor { get; set; }

        public int Index { get; set; }
    }
}
