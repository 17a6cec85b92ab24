using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TradeStat.Tests.Unit.Infrastructure.Feed;

/// <summary>
/// A small stand-in for Binance on 127.0.0.1 (Kestrel, port 0) for the request logic of the feed: exchangeInfo as set
/// by the test, and combined streams answering SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS as the documentation shows,
/// with two kinds of stubborn streams: <see cref="Refused"/> ones make the whole SUBSCRIBE fail with a flat error
/// (<c>{"code":2,"msg":"Invalid request: ...","id":n}</c>), <see cref="Ignored"/> ones are acknowledged and never listed.
/// It records when each client message arrives, and sends the trades the test publishes to the connections subscribed.
/// </summary>
internal sealed class LoopbackBinanceStub : IAsyncDisposable
{
    private readonly List<Connection> _connections = [];
    private readonly ConcurrentQueue<(string Method, string[] Streams)> _requests = new();
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _app;
    private byte[] _exchangeInfo = """{"symbols":[]}"""u8.ToArray();
    private string? _exchangeInfoQuery;
    private int _connectionCount;

    /// <summary>Streams whose SUBSCRIBE is answered with a flat error; nothing of that request is subscribed.</summary>
    public HashSet<string> Refused { get; } = new(StringComparer.Ordinal);

    /// <summary>Streams acknowledged by SUBSCRIBE and never subscribed (LIST_SUBSCRIPTIONS never shows them).</summary>
    public HashSet<string> Ignored { get; } = new(StringComparer.Ordinal);

    /// <summary>The exchangeInfo answer from now on.</summary>
    public byte[] ExchangeInfo
    {
        get => Volatile.Read(ref _exchangeInfo);
        set => Volatile.Write(ref _exchangeInfo, value);
    }

    /// <summary>Query string of the last exchangeInfo request (with its leading '?'), null before the first.</summary>
    public string? ExchangeInfoQuery => Volatile.Read(ref _exchangeInfoQuery);

    public Uri RestBaseUrl { get; private set; } = null!;

    public Uri StreamBaseUrl { get; private set; } = null!;

    /// <summary>WebSocket connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connectionCount);

    /// <summary>Every request received, in order, on any connection.</summary>
    public IReadOnlyCollection<(string Method, string[] Streams)> Requests => _requests;

    /// <summary>Arrival times of the client's text messages on each connection so far.</summary>
    public IReadOnlyList<IReadOnlyList<TimeSpan>> ArrivalTimes
    {
        get
        {
            lock (_connections)
            {
                return _connections.Select(c => c.ArrivalTimes).ToArray();
            }
        }
    }

    /// <summary>True when some open connection is subscribed to <paramref name="stream"/>.</summary>
    public bool IsSubscribed(string stream)
    {
        lock (_connections)
        {
            return _connections.Any(c => c.IsSubscribed(stream));
        }
    }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.UseWebSockets();
        _app.MapGet("/api/v3/exchangeInfo", (HttpContext context) =>
        {
            Volatile.Write(ref _exchangeInfoQuery, context.Request.QueryString.Value ?? "");
            return Results.Bytes(ExchangeInfo, "application/json");
        });
        _app.Map("/stream", StreamAsync);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        RestBaseUrl = new Uri(address);
        StreamBaseUrl = new Uri(address.Replace("http://", "ws://", StringComparison.Ordinal));
    }

    /// <summary>Sends <paramref name="line"/> on every open connection subscribed to <paramref name="stream"/>.</summary>
    public async Task PublishAsync(string stream, string line)
    {
        Connection[] targets;
        lock (_connections)
        {
            targets = _connections.Where(c => c.IsSubscribed(stream)).ToArray();
        }

        foreach (var c in targets)
        {
            await c.SendAsync(line, _stopping.Token);
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

    private async Task StreamAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }

        var streams = context.Request.Query["streams"].ToString().Split('/', StringSplitOptions.RemoveEmptyEntries);
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        Interlocked.Increment(ref _connectionCount);
        var connection = new Connection(this, socket, streams);
        lock (_connections)
        {
            _connections.Add(connection);
        }

        try
        {
            await connection.ReceiveAsync(_stopping.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The connection is over.
        }
        finally
        {
            lock (_connections)
            {
                _connections.Remove(connection);
            }
        }
    }

    private sealed class Connection(LoopbackBinanceStub stub, WebSocket socket, IEnumerable<string> urlStreams)
    {
        private readonly HashSet<string> _subscribed = new(urlStreams, StringComparer.Ordinal);
        private readonly List<TimeSpan> _arrivals = [];
        private readonly SemaphoreSlim _send = new(1, 1);
        private readonly long _opened = Stopwatch.GetTimestamp();

        public IReadOnlyList<TimeSpan> ArrivalTimes
        {
            get
            {
                lock (_arrivals)
                {
                    return [.. _arrivals];
                }
            }
        }

        public bool IsSubscribed(string stream)
        {
            lock (_subscribed)
            {
                return _subscribed.Contains(stream);
            }
        }

        public async Task ReceiveAsync(CancellationToken token)
        {
            var buffer = new byte[64 * 1024];
            while (!token.IsCancellationRequested)
            {
                var count = 0;
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, count, buffer.Length - count), token);
                    count += result.Count;
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, token);
                    return;
                }

                lock (_arrivals)
                {
                    _arrivals.Add(Stopwatch.GetElapsedTime(_opened));
                }

                await AnswerAsync(buffer.AsMemory(0, count), token);
            }
        }

        public async Task SendAsync(string text, CancellationToken token)
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

        private async Task AnswerAsync(ReadOnlyMemory<byte> message, CancellationToken token)
        {
            using var doc = JsonDocument.Parse(message);
            var root = doc.RootElement;
            var id = root.GetProperty("id").GetInt64();
            var method = root.GetProperty("method").GetString()!;
            var parameters = root.TryGetProperty("params", out var p) ? p.EnumerateArray().Select(e => e.GetString()!).ToArray() : [];
            stub._requests.Enqueue((method, parameters));
            string answer;
            lock (_subscribed)
            {
                switch (method)
                {
                    case "SUBSCRIBE" when parameters.Any(stub.Refused.Contains):
                        answer = $$"""{"code":2,"msg":"Invalid request: unknown stream","id":{{id}}}""";
                        break;
                    case "SUBSCRIBE":
                        _subscribed.UnionWith(parameters.Where(s => !stub.Ignored.Contains(s)));
                        answer = $$"""{"result":null,"id":{{id}}}""";
                        break;
                    case "UNSUBSCRIBE":
                        _subscribed.ExceptWith(parameters);
                        answer = $$"""{"result":null,"id":{{id}}}""";
                        break;
                    case "LIST_SUBSCRIPTIONS":
                        answer = JsonSerializer.Serialize(new { result = _subscribed.ToArray(), id });
                        break;
                    default:
                        answer = $$"""{"code":2,"msg":"Invalid request: unknown method","id":{{id}}}""";
                        break;
                }
            }

            await SendAsync(answer, token);
        }
    }
}
