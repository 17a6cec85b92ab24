using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TradeStat.Tests.Fakes;

/// <summary>
/// A local stand-in for the Binance spot exchange on 127.0.0.1 (Kestrel, port 0), as strict as the real one's documented
/// rules, since it is the only exchange the feed's tests meet:
/// <list type="bullet">
/// <item>REST: GET /api/v3/exchangeInfo, historicalTrades, trades and aggTrades, each charged its request weight against a
/// per-IP budget per fixed window; over it 429 with Retry-After, and a request before that Retry-After has passed earns
/// a 418 ban that grows for repeat offenders. historicalTrades and aggTrades read a database that lags the tape by
/// <see cref="HistoryLag"/>; trades reads memory (no lag).</item>
/// <item>Combined streams at /stream?streams=: SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS answered by id, errors in
/// Binance's flat form, requests over <see cref="MaxRequestBytes"/> ignored without an answer, at most
/// <see cref="IncomingMessageLimit"/> incoming messages per second per connection (pongs included) or the connection is
/// closed with 1008, server pings with a pong timeout, and scripted drops, serverShutdown events (combined form), huge
/// and malformed frames.</item>
/// </list>
/// Trades are published on a tape per symbol; each connection receives the trades published while it is subscribed.
/// </summary>
/// <remarks>
/// The parts: this file (settings, counters, publishing, drops), FakeBinanceExchange.Rest.cs (weights and endpoints),
/// FakeBinanceExchange.Connection.cs (one WebSocket), FakeBinanceExchange.Frames.cs (the bytes under the socket: the
/// client's frames counted, pongs read, pings written).
/// </remarks>
public sealed partial class FakeBinanceExchange : IAsyncDisposable
{
    /// <summary>The id of each symbol's first aggregate trade.</summary>
    public const long AggregateIdBase = 1000;

    private byte[] _exchangeInfo;
    private readonly Dictionary<string, SymbolTape> _tapes;
    private readonly Dictionary<string, SymbolTape> _tapesByStream;
    private readonly SymbolTape[] _tapeList;
    private readonly ConcurrentQueue<FakeAction> _actions;
    private readonly ConcurrentBag<string> _urls = [];
    private readonly ConcurrentQueue<string> _exchangeInfoQueries = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Connection> _connections = [];
    private IReadOnlySet<string> _refusedStreams = new HashSet<string>(StringComparer.Ordinal);
    private IReadOnlySet<string> _silentStreams = new HashSet<string>(StringComparer.Ordinal);
    private TaskCompletionSource _published = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _app;
    private int _connectionCount;
    private int _subscribeCount;
    private int _malformedSent;
    private int _pongsReceived;
    private int _pongTimeouts;
    private int _rateLimitCloses;
    private int _oversizedRequestsIgnored;
    private int _requestErrors;
    private long _tradesDelivered;
    private long _messagesSent;
    private int _maxClientMessagesPerSecond;

    public FakeBinanceExchange(byte[] exchangeInfo, IEnumerable<RecordedTrade> trades, IEnumerable<FakeAction> actions)
    {
        _exchangeInfo = exchangeInfo;
        _tapes = trades.GroupBy(t => t.Symbol, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => new SymbolTape(g.Key, g.OrderBy(t => t.Id).ToArray(), AggregateIdBase), StringComparer.Ordinal);
        _tapeList = [.. _tapes.Values];
        _tapesByStream = _tapeList.ToDictionary(t => t.Stream, StringComparer.Ordinal);
        _actions = new ConcurrentQueue<FakeAction>(actions);
    }

    /// <summary>An exchange listing <paramref name="market"/>'s symbols and publishing its trades.</summary>
    public FakeBinanceExchange(FakeMarket market, IEnumerable<FakeAction>? actions = null)
        : this(market.ExchangeInfo, market.Trades, actions ?? [])
    {
    }

    // ---- Settings -------------------------------------------------------------------------------------------------

    /// <summary>Size of the message sent by <see cref="FakeActionKind.HugeFrame"/>.</summary>
    public int HugeFrameBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>
    /// Server ping interval, whatever the traffic (Binance: every 20 s). Zero: no pings. Each pong the client sends
    /// counts against <see cref="IncomingMessageLimit"/>, so a test that shortens this must leave the client room for its
    /// own messages.
    /// </summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long a ping may go unanswered before the connection is cut (Binance: one minute). Only a pong echoing the
    /// ping's payload answers it; an unsolicited pong does not.
    /// </summary>
    public TimeSpan PongTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Incoming messages allowed per connection within any one second (Binance: 5, pings and pongs included).</summary>
    public int IncomingMessageLimit { get; init; } = 5;

    /// <summary>How long a connection closed for its message rate waits for the client's close frame before it is cut.</summary>
    public TimeSpan CloseHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest request frame answered; a longer text message gets no answer at all (users report ~4 KB).</summary>
    public int MaxRequestBytes { get; init; } = 4096;

    /// <summary>Streams one connection may carry (Binance: 1024).</summary>
    public int MaxStreamsPerConnection { get; init; } = 1024;

    /// <summary>Send a malformed text frame after every this many trades on a connection (0: never).</summary>
    public int MalformedEvery { get; init; } = 500;

    /// <summary>The first SUBSCRIBE is acknowledged but ignored, as users report of oversize requests.</summary>
    public bool IgnoreFirstSubscribe { get; init; } = true;

    /// <summary>How long a connection keeps streaming after its serverShutdown event.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>
    /// Streams Binance refuses: a SUBSCRIBE naming any of them is answered with an error and subscribes nothing of its
    /// frame; in the connection URL they are left out.
    /// </summary>
    public IReadOnlySet<string> RefusedStreams
    {
        get => Volatile.Read(ref _refusedStreams);
        set => Volatile.Write(ref _refusedStreams, new HashSet<string>(value, StringComparer.Ordinal));
    }

    /// <summary>Streams acknowledged (result null) but never subscribed, so LIST_SUBSCRIPTIONS never shows them.</summary>
    public IReadOnlySet<string> SilentStreams
    {
        get => Volatile.Read(ref _silentStreams);
        set => Volatile.Write(ref _silentStreams, new HashSet<string>(value, StringComparer.Ordinal));
    }

    /// <summary>Request weight allowed per IP per <see cref="WeightWindow"/> (Binance: 6000 per minute).</summary>
    public int WeightLimit { get; init; } = 6000;

    /// <summary>The weight window; windows start at multiples of it since the fake started, as Binance's minutes do.</summary>
    public TimeSpan WeightWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The first ban's length; each later ban of the same IP lasts twice the one before (Binance: 2 min to 3 days).</summary>
    public TimeSpan BanDuration { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Longest ban.</summary>
    public TimeSpan MaxBanDuration { get; init; } = TimeSpan.FromDays(3);

    /// <summary>How long a published trade takes to reach the database that historicalTrades and aggTrades read.</summary>
    public TimeSpan HistoryLag { get; init; } = TimeSpan.Zero;

    /// <summary>How long every REST request takes before it is answered (a round trip to a far exchange).</summary>
    public TimeSpan RestLatency { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// The clock of the REST weight windows, bans, history lag and event times (a <see cref="ManualClock"/> makes them
    /// exact). Pings and the WebSocket message rate always run on real time.
    /// </summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>The exchangeInfo answer from now on (listings and delistings).</summary>
    public byte[] ExchangeInfo
    {
        get => Volatile.Read(ref _exchangeInfo);
        set => Volatile.Write(ref _exchangeInfo, value);
    }

    // ---- Addresses and counters -----------------------------------------------------------------------------------

    public Uri RestBaseUrl { get; private set; } = null!;

    public Uri StreamBaseUrl { get; private set; } = null!;

    /// <summary>WebSocket connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connectionCount);

    /// <summary>WebSocket connections open now (one that has started to end no longer counts).</summary>
    public int OpenConnections
    {
        get
        {
            lock (_connections)
            {
                return _connections.Count(c => c.Live);
            }
        }
    }

    /// <summary>Malformed frames sent (<see cref="MalformedEvery"/>).</summary>
    public int MalformedSent => Volatile.Read(ref _malformedSent);

    /// <summary>Pong frames received on all connections so far (answers to the server's pings, or unsolicited).</summary>
    public int PongsReceived => Volatile.Read(ref _pongsReceived);

    /// <summary>Connections the server cut off because a ping went unanswered for <see cref="PongTimeout"/>.</summary>
    public int PongTimeouts => Volatile.Read(ref _pongTimeouts);

    /// <summary>Connections closed (1008) for sending more than <see cref="IncomingMessageLimit"/> messages within a second.</summary>
    public int RateLimitCloses => Volatile.Read(ref _rateLimitCloses);

    /// <summary>Request frames over <see cref="MaxRequestBytes"/> that were ignored without an answer.</summary>
    public int OversizedRequestsIgnored => Volatile.Read(ref _oversizedRequestsIgnored);

    /// <summary>Error answers sent to WebSocket requests (flat form, code 2 or 3).</summary>
    public int RequestErrors => Volatile.Read(ref _requestErrors);

    /// <summary>Trade messages sent on all connections (counted as each is handed to its socket).</summary>
    public long TradesDelivered => Interlocked.Read(ref _tradesDelivered);

    /// <summary>Text messages sent whole to every connection: trades, replies, notices.</summary>
    public long MessagesSent => Interlocked.Read(ref _messagesSent);

    public int PendingActions => _actions.Count;

    /// <summary>Every WebSocket URL a client asked for.</summary>
    public IReadOnlyCollection<string> Urls => _urls;

    /// <summary>Most messages (requests, pings, pongs) a client sent on one connection within any one second.</summary>
    public double MaxClientMessagesPerSecond => Volatile.Read(ref _maxClientMessagesPerSecond);

    /// <summary>The query string of every exchangeInfo request, in arrival order (empty when it had none).</summary>
    public IReadOnlyCollection<string> ExchangeInfoQueries => _exchangeInfoQueries;

    /// <summary>The streams of every published symbol.</summary>
    public IEnumerable<string> RecordedStreams => _tapeList.Select(t => t.Stream);

    /// <summary>True when some open connection is subscribed to <paramref name="stream"/>.</summary>
    public bool IsSubscribed(string stream) => SubscriptionCount(stream) > 0;

    /// <summary>How many open connections carry <paramref name="stream"/>.</summary>
    public int SubscriptionCount(string stream)
    {
        lock (_connections)
        {
            return _connections.Count(c => c.Live && c.IsSubscribed(stream));
        }
    }

    /// <summary>True once every published symbol's stream is subscribed on some open connection.</summary>
    public bool AllRecordedStreamsSubscribed
    {
        get
        {
            var subscribed = new HashSet<string>(StringComparer.Ordinal);
            lock (_connections)
            {
                foreach (var c in _connections.Where(c => c.Live))
                {
                    c.AddStreamsTo(subscribed);
                }
            }

            return _tapeList.All(t => subscribed.Contains(t.Stream));
        }
    }

    /// <summary>True when every trade has been published.</summary>
    public bool TapeFinished => _tapeList.All(t => t.Finished);

    /// <summary>How many of <paramref name="symbol"/>'s trades are published (0 for a symbol without trades).</summary>
    public int PublishedCount(string symbol) => _tapes.TryGetValue(symbol, out var tape) ? tape.Published : 0;

    // ---- Life -----------------------------------------------------------------------------------------------------

    public async Task StartAsync()
    {
        _origin = Clock.GetUtcNow();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.Use((context, next) =>
        {
            // Pongs are control frames that WebSocket.ReceiveAsync never returns: every frame the client sends is counted
            // in the bytes under the socket, by the connection's own counter.
            if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
            {
                var wire = new Wire(this);
                context.Items[typeof(Wire)] = wire;
                context.Features.Set<IHttpUpgradeFeature>(new FrameCountingUpgrade(upgrade, wire));
            }

            return next(context);
        });

        // No keep-alive of the WebSocket's own: it pings only after an interval without incoming data, where Binance
        // pings every 20 s whatever the traffic. The connections ping on their own clock (Connection.PingLoopAsync).
        _app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        _app.Map("/api/{**rest}", RestAsync);
        _app.Map("/stream", StreamAsync);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        RestBaseUrl = new Uri(address);
        StreamBaseUrl = new Uri(address.Replace("http://", "ws://", StringComparison.Ordinal));
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        DropAll();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _stopping.Dispose();
    }

    // ---- Publishing -----------------------------------------------------------------------------------------------

    /// <summary>Publishes <paramref name="step"/> trades per symbol every <paramref name="interval"/> until the tape ends.</summary>
    public Task PublishAsync(int step, TimeSpan interval) => Task.Run(async () =>
    {
        while (!TapeFinished && !_stopping.IsCancellationRequested)
        {
            Publish(step);
            try
            {
                await Task.Delay(interval, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    });

    /// <summary>
    /// Publishes the next <paramref name="count"/> trades of <paramref name="symbol"/> (of every symbol when null) now;
    /// returns how many trades were published. Connections subscribed at this moment receive them.
    /// </summary>
    public int Publish(int count = 1, string? symbol = null)
    {
        var now = Clock.GetUtcNow().UtcTicks;
        var published = 0;
        if (symbol is null)
        {
            foreach (var tape in _tapeList)
            {
                published += tape.Publish(count, now);
            }
        }
        else if (_tapes.TryGetValue(symbol, out var tape))
        {
            published = tape.Publish(count, now);
        }

        if (published > 0)
        {
            // Wake every send loop: each compares its cursors with the tapes, so one signal covers any number of symbols.
            Interlocked.Exchange(ref _published, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }

        return published;
    }

    /// <summary>Publishes every remaining trade; returns how many.</summary>
    public int PublishAll() => Publish(int.MaxValue);

    /// <summary>Completes at the next publication (read before looking at the tapes, so that none is missed).</summary>
    private Task NextPublication => Volatile.Read(ref _published).Task;

    // ---- Drops ----------------------------------------------------------------------------------------------------

    /// <summary>Aborts every open connection at once (a mass reconnect); returns how many.</summary>
    public int DropAll() => Drop(_ => true);

    /// <summary>Aborts every open connection subscribed to <paramref name="stream"/>; returns how many.</summary>
    public int DropConnectionsCarrying(string stream) => Drop(c => c.IsSubscribed(stream));

    private int Drop(Func<Connection, bool> which)
    {
        Connection[] victims;
        lock (_connections)
        {
            victims = _connections.Where(c => c.Live && which(c)).ToArray();
        }

        return victims.Count(c => c.Drop());
    }

    // ---- Streams --------------------------------------------------------------------------------------------------

    private SymbolTape? TapeForStream(string stream) => _tapesByStream.GetValueOrDefault(stream);

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

        var streams = context.Request.Query["streams"].ToString().Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (streams.Distinct(StringComparer.Ordinal).Count() > MaxStreamsPerConnection)
        {
            context.Response.StatusCode = 400;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var wire = (Wire)context.Items[typeof(Wire)]!;
        var connection = new Connection(this, socket, context, wire, Interlocked.Increment(ref _connectionCount));
        var refused = RefusedStreams;
        var silent = SilentStreams;
        foreach (var s in streams)
        {
            if (!refused.Contains(s) && !silent.Contains(s))
            {
                connection.Subscribe(s);
            }
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

    private void RecordMessageRate(int perSecond)
    {
        var seen = Volatile.Read(ref _maxClientMessagesPerSecond);
        while (perSecond > seen)
        {
            var was = Interlocked.CompareExchange(ref _maxClientMessagesPerSecond, perSecond, seen);
            if (was == seen)
            {
                return;
            }

            seen = was;
        }
    }
}
