using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace TradeStat.Infrastructure.Feed;

/// <summary>
/// One combined-stream WebSocket (<see cref="ClientWebSocket"/>): the first streams in the URL, the rest subscribed in
/// paced batches and confirmed with LIST_SUBSCRIPTIONS; every text message goes through <see cref="TradeIngestor"/>.
/// Server pings are answered by ClientWebSocket itself (RFC 6455: a pong echoing the ping payload, sent from inside
/// ReceiveAsync), so the receive loop does nothing but read and hand over: a gap goes to the <see cref="Backfiller"/>,
/// never awaited here.
/// </summary>
/// <remarks>Here: the connection's life and its receive loop; the subscription requests are in StreamConnection.Requests.cs.</remarks>
internal sealed partial class StreamConnection : IAsyncDisposable
{
    private const int InitialBufferSize = 64 * 1024;

    private readonly ClientWebSocket _socket = new();
    private readonly ConnectionPlan _plan;
    private readonly BinanceOptions _options;
    private readonly TradeIngestor _ingestor;
    private readonly Backfiller _backfill;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<byte[]>> _pending = new();
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _shutdownAnnounced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<(string Method, string[] Streams)> _commands = Channel.CreateUnbounded<(string, string[])>();
    private readonly HashSet<string> _expected;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private long _nextId;
    private long _lastSend = long.MinValue;

    public StreamConnection(int slot, ConnectionPlan plan, BinanceOptions options, TradeIngestor ingestor,
        Backfiller backfill, TimeProvider time, ILogger logger)
    {
        Slot = slot;
        _plan = plan;
        _options = options;
        _ingestor = ingestor;
        _backfill = backfill;
        _time = time;
        _logger = logger;
        _expected = new HashSet<string>(plan.Streams, StringComparer.Ordinal);

        // No unsolicited pongs: they would count against the 5 messages/s limit. Pings are still answered.
        _socket.Options.KeepAliveInterval = TimeSpan.Zero;
    }

    /// <summary>The plan slot this connection serves.</summary>
    public int Slot { get; }

    /// <summary>True once the WebSocket handshake succeeded.</summary>
    public bool Opened { get; private set; }

    /// <summary>
    /// Completes once LIST_SUBSCRIPTIONS confirms every planned stream, or what is left once the streams that would not
    /// confirm after <c>MaxResubscribes</c> attempts have been given up (logged and counted).
    /// </summary>
    public Task Subscribed => _subscribed.Task;

    /// <summary>Completes when the server announced a shutdown (serverShutdown event).</summary>
    public Task ShutdownAnnounced => _shutdownAnnounced.Task;

    /// <summary>Adds streams (after a refresh); sent paced, after the initial subscription.</summary>
    public void Subscribe(string[] streams) => _commands.Writer.TryWrite(("SUBSCRIBE", streams));

    /// <summary>Removes streams (delistings).</summary>
    public void Unsubscribe(string[] streams) => _commands.Writer.TryWrite(("UNSUBSCRIBE", streams));

    /// <summary>Connects, subscribes and reads until the socket ends or <paramref name="cancellationToken"/> / <see cref="StopAsync"/>.</summary>
    public async Task<ConnectionEnd> RunAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        var token = linked.Token;
        Task control = Task.CompletedTask;
        try
        {
            using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(token))
            {
                connectTimeout.CancelAfter(_options.RequestTimeout);
                await _socket.ConnectAsync(_plan.Url, connectTimeout.Token);
            }

            Opened = true;
            _ingestor.Metrics.AddConnect();
            _logger.LogInformation("Connection {Slot}: open with {Streams} streams ({InUrl} in the URL)", Slot, _plan.Streams.Count, _plan.UrlStreams);
            control = ControlAsync(token);
            await ReceiveLoopAsync(token);
            return token.IsCancellationRequested ? ConnectionEnd.Stopped : ConnectionEnd.Dropped;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return ConnectionEnd.Stopped;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or HttpRequestException or IOException)
        {
            _logger.LogWarning("Connection {Slot}: {Error}", Slot, e.Message);
            return ConnectionEnd.Dropped;
        }
        finally
        {
            _subscribed.TrySetException(new WebSocketException("The connection ended before it was subscribed."));
            _ = _subscribed.Task.Exception; // observed
            await linked.CancelAsync();
            _socket.Abort();
            if (Opened)
            {
                _ingestor.Metrics.AddClose();
            }

            try
            {
                await control;
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
            {
                // The control loop ends with the socket.
            }
        }
    }

    /// <summary>Closes politely (close handshake, bounded) and stops the loops.</summary>
    public async Task StopAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(_options.RequestTimeout);
            if (_socket.State == WebSocketState.Open)
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "rotation", timeout.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Already gone.
        }

        await _stop.CancelAsync();
    }

    private async Task ReceiveLoopAsync(CancellationToken token)
    {
        var max = _options.MaxMessageBytes;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialBufferSize, max));
        var count = 0;
        long oversized = 0;
        try
        {
            while (true)
            {
                var limit = Math.Min(buffer.Length, max);
                if (count == limit)
                {
                    if (limit == max)
                    {
                        // Over the cap: read the rest of this message through the same buffer and throw it away, so a
                        // huge (or endless) frame can never grow memory.
                        oversized += count;
                        count = 0;
                    }
                    else
                    {
                        var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, max));
                        buffer.AsSpan(0, count).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                        limit = Math.Min(buffer.Length, max);
                    }
                }

                var result = await _socket.ReceiveAsync(buffer.AsMemory(count, limit - count), token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _logger.LogInformation("Connection {Slot}: closed by the server ({Status})", Slot, _socket.CloseStatus);
                    return;
                }

                count += result.Count;
                if (!result.EndOfMessage)
                {
                    continue;
                }

                _ingestor.Metrics.AddMessage();
                var length = count;
                count = 0;
                if (oversized > 0)
                {
                    _ingestor.RejectOversized(oversized + length, max);
                    oversized = 0;
                    continue;
                }

                var outcome = _ingestor.Process(buffer.AsSpan(0, length), out var gapped, out var responseId);
                switch (outcome)
                {
                    case IngestResult.Gap:
                        // Handed over, not awaited: the socket goes on being read while the gap is filled.
                        _backfill.Enqueue(gapped!);
                        break;
                    case IngestResult.Response:
                        if (_pending.TryRemove(responseId, out var waiter))
                        {
                            waiter.TrySetResult(buffer.AsSpan(0, length).ToArray());
                        }

                        break;
                    case IngestResult.ServerShutdown:
                        _logger.LogInformation("Connection {Slot}: serverShutdown announced; replacing it", Slot);
                        _shutdownAnnounced.TrySetResult();
                        break;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        _sendLock.Dispose();
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }
}
