using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TradeStat.Domain.Feed;

namespace TradeStat.Infrastructure.Feed;

/// <summary>
/// The hosted service of the feed: nothing when <c>Binance:Enabled</c> is false; the replay when
/// <c>Binance:ReplayFile</c> is set; otherwise the live feed (exchangeInfo, one supervised connection per plan slot,
/// periodic refresh).
/// </summary>
internal sealed class BinanceFeedService(
    IOptions<BinanceOptions> options,
    FeedBook book,
    ExchangeInfoClient exchangeInfo,
    TradeIngestor ingestor,
    HistoricalTradesClient backfill,
    ReplaySource replay,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    private readonly BinanceOptions _options = options.Value;
    private readonly ILogger _logger = loggers.CreateLogger<BinanceFeedService>();
    private readonly List<Slot> _slots = [];
    private readonly ConnectionAttemptLimiter _attempts = new(options.Value.MaxConnectAttemptsPer5Minutes, TimeSpan.FromMinutes(5), time);

    /// <summary>Completes when the replay has been fed through (replay mode only).</summary>
    public Task ReplayCompleted => replay.Completed;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        await Task.Yield();
        if (!string.IsNullOrEmpty(_options.ReplayFile))
        {
            await replay.RunAsync(_options.ReplayFile, _options.ExchangeInfoFile, stoppingToken);
            return;
        }

        var symbols = await LoadSymbolsAsync(stoppingToken);
        if (symbols is null)
        {
            return;
        }

        var change = book.Replace(symbols);
        _logger.LogInformation("Universe: {Count} symbols", change.Total);
        foreach (var group in ConnectionPlanner.Group(book.Symbols, _options))
        {
            StartSlot(group, stoppingToken);
        }

        try
        {
            using var timer = new PeriodicTimer(_options.SymbolRefreshInterval, time);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await RefreshAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }

        await Task.WhenAll(_slots.Select(s => s.Runner!));
    }

    private async Task<IReadOnlyList<string>?> LoadSymbolsAsync(CancellationToken token)
    {
        for (var failures = 1; !token.IsCancellationRequested; failures++)
        {
            try
            {
                return await exchangeInfo.GetSymbolsAsync(token);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or InvalidDataException or System.Text.Json.JsonException or TaskCanceledException && !token.IsCancellationRequested)
            {
                var delay = Backoff.Delay(failures, _options);
                _logger.LogWarning("exchangeInfo failed ({Error}); retrying in {Delay}", e.Message, delay);
                try
                {
                    await Task.Delay(delay, time, token);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
            }
        }

        return null;
    }

    private async Task RefreshAsync(CancellationToken token)
    {
        IReadOnlyList<string> symbols;
        try
        {
            symbols = await exchangeInfo.GetSymbolsAsync(token);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidDataException or System.Text.Json.JsonException or TaskCanceledException && !token.IsCancellationRequested)
        {
            _logger.LogWarning("exchangeInfo refresh failed ({Error}); keeping the current universe", e.Message);
            return;
        }

        if (symbols.Count == 0)
        {
            // An empty list is far likelier a broken answer than every symbol delisted at once: applying it would
            // discard every statistic. Keep the universe and say so.
            _logger.LogWarning("exchangeInfo refresh listed no symbols; keeping the current universe");
            return;
        }

        var change = book.Replace(symbols);
        if (change.Added.Count == 0 && change.Removed.Count == 0)
        {
            return;
        }

        _logger.LogInformation("Universe refresh: {Added} listed, {Removed} delisted, {Total} in all", change.Added.Count, change.Removed.Count, change.Total);
        var removed = change.Removed.Select(ConnectionPlanner.StreamName).ToHashSet(StringComparer.Ordinal);
        foreach (var slot in _slots)
        {
            slot.Remove(removed);
        }

        var added = new Queue<string>(change.Added.Select(ConnectionPlanner.StreamName));
        foreach (var slot in _slots)
        {
            slot.Add(added, _options.MaxStreamsPerConnection);
        }

        while (added.Count > 0)
        {
            var group = new List<string>();
            while (added.Count > 0 && group.Count < _options.MaxStreamsPerConnection)
            {
                group.Add(added.Dequeue());
            }

            StartSlot(group, token);
        }
    }

    private void StartSlot(IReadOnlyList<string> streams, CancellationToken token)
    {
        var slot = new Slot(_slots.Count, streams);
        _slots.Add(slot);
        slot.Runner = Task.Run(() => RunSlotAsync(slot, token), token);
    }

    // Supervises a slot: a failure that the connection loop does not know (a bug, an exception type nobody listed)
    // must not end the slot's streams for good. It is logged as an error, counted as a reconnect, and the slot starts
    // over with backoff (the attempt limiter still applies).
    private async Task RunSlotAsync(Slot slot, CancellationToken token)
    {
        for (var crashes = 1; !token.IsCancellationRequested; crashes++)
        {
            try
            {
                await RunSlotOnceAsync(slot, token);
                return;
            }
            catch (Exception e) when (!token.IsCancellationRequested)
            {
                _logger.LogError(e, "Connection {Slot}: unexpected failure; restarting the slot", slot.Index);
                ingestor.Metrics.AddReconnect();
                foreach (var orphan in slot.DetachAll())
                {
                    await orphan.DisposeAsync();
                }

                try
                {
                    await Task.Delay(Backoff.Delay(Math.Min(crashes, 10), _options), time, token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    // Keeps one connection alive for the slot: reconnects with backoff and jitter, rotates before the lifetime ends or
    // when the server announces a shutdown, with the old connection still running until the new one is confirmed.
    private async Task RunSlotOnceAsync(Slot slot, CancellationToken token)
    {
        var failures = 0;
        (StreamConnection Connection, Task<ConnectionEnd> Run)? previous = null;
        var logger = loggers.CreateLogger<StreamConnection>();
        try
        {
            while (!token.IsCancellationRequested)
            {
                var streams = slot.Snapshot();
                if (streams.Count == 0)
                {
                    // Every symbol of this slot was delisted: nothing to connect for until a refresh adds some.
                    await Task.Delay(_options.SymbolRefreshInterval, time, token);
                    continue;
                }

                await _attempts.WaitAsync(token);

                // Planned from the slot's streams and attached in one step: a refresh that adds streams in between
                // (the attempt limiter can wait minutes) would otherwise SUBSCRIBE them only on the connections already
                // attached, and this one would never carry them until its next reconnect.
                var connection = slot.AttachNew(s => new StreamConnection(slot.Index, ConnectionPlanner.PlanConnection(s, _options), _options, ingestor, backfill, time, logger));
                if (connection is null)
                {
                    continue;
                }

                var run = connection.RunAsync(token);
                await Task.WhenAny(run, connection.Subscribed);
                if (!connection.Subscribed.IsCompletedSuccessfully)
                {
                    await run;
                    slot.Detach(connection);
                    await connection.DisposeAsync();
                    failures++;
                    if (connection.Opened)
                    {
                        ingestor.Metrics.AddReconnect();
                    }

                    var delay = Backoff.Delay(failures, _options);
                    _logger.LogWarning("Connection {Slot}: lost before its subscriptions were confirmed; retrying in {Delay}", slot.Index, delay);
                    await Task.Delay(delay, time, token);
                    continue;
                }

                failures = 0;
                if (previous is { } old)
                {
                    // Both connections have delivered for RotationOverlap; duplicates were dropped by trade id.
                    await Task.WhenAny(old.Run, Task.Delay(_options.RotationOverlap, time, token));
                    await old.Connection.StopAsync();
                    await old.Run;
                    slot.Detach(old.Connection);
                    await old.Connection.DisposeAsync();
                    previous = null;
                }

                using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(token);
                var rotate = Task.Delay(_options.ConnectionLifetime, time, lifetime.Token);
                var done = await Task.WhenAny(run, rotate, connection.ShutdownAnnounced);
                await lifetime.CancelAsync();
                if (done != run && !run.IsCompleted)
                {
                    ingestor.Metrics.AddRotation();
                    _logger.LogInformation("Connection {Slot}: rotating ({Reason})", slot.Index, done == rotate ? "lifetime" : "serverShutdown");
                    previous = (connection, run);
                    continue;
                }

                var end = await run;
                slot.Detach(connection);
                await connection.DisposeAsync();
                if (end == ConnectionEnd.Stopped || token.IsCancellationRequested)
                {
                    break;
                }

                ingestor.Metrics.AddReconnect();
                var wait = Backoff.Delay(1, _options);
                _logger.LogWarning("Connection {Slot}: dropped; reconnecting in {Delay}", slot.Index, wait);
                await Task.Delay(wait, time, token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Host stopping.
        }
        finally
        {
            if (previous is { } old)
            {
                await old.Connection.StopAsync();
                await old.Run;
                await old.Connection.DisposeAsync();
            }
        }
    }

    /// <summary>A plan slot: its streams and the connections currently serving them.</summary>
    private sealed class Slot(int index, IEnumerable<string> streams)
    {
        private readonly List<string> _streams = [.. streams];
        private readonly List<StreamConnection> _live = [];

        public int Index { get; } = index;

        public Task? Runner { get; set; }

        public IReadOnlyList<string> Snapshot()
        {
            lock (_live)
            {
                return [.. _streams];
            }
        }

        /// <summary>Creates a connection for the current streams and attaches it atomically; null when there are none.</summary>
        public StreamConnection? AttachNew(Func<IReadOnlyList<string>, StreamConnection> create)
        {
            lock (_live)
            {
                if (_streams.Count == 0)
                {
                    return null;
                }

                var c = create([.. _streams]);
                _live.Add(c);
                return c;
            }
        }

        public void Detach(StreamConnection c)
        {
            lock (_live)
            {
                _live.Remove(c);
            }
        }

        /// <summary>Detaches every connection (after a failure of the slot's loop) and returns them for disposal.</summary>
        public List<StreamConnection> DetachAll()
        {
            lock (_live)
            {
                var all = new List<StreamConnection>(_live);
                _live.Clear();
                return all;
            }
        }

        public void Remove(HashSet<string> removed)
        {
            lock (_live)
            {
                var gone = _streams.Where(removed.Contains).ToArray();
                if (gone.Length == 0)
                {
                    return;
                }

                _streams.RemoveAll(removed.Contains);
                foreach (var c in _live)
                {
                    c.Unsubscribe(gone);
                }
            }
        }

        public void Add(Queue<string> added, int max)
        {
            lock (_live)
            {
                var mine = new List<string>();
                while (added.Count > 0 && _streams.Count < max)
                {
                    var s = added.Dequeue();
                    _streams.Add(s);
                    mine.Add(s);
                }

                if (mine.Count > 0)
                {
                    foreach (var c in _live)
                    {
                        c.Subscribe([.. mine]);
                    }
                }
            }
        }
    }
}

/// <summary>Exponential backoff with jitter: base·2^(n−1), capped, times a random factor in [0.5, 1).</summary>
internal static class Backoff
{
    public static TimeSpan Delay(int failures, BinanceOptions options)
    {
        var exponent = Math.Min(Math.Max(failures - 1, 0), 20);
        var raw = Math.Min(options.ReconnectMaxDelay.TotalMilliseconds, options.ReconnectBaseDelay.TotalMilliseconds * Math.Pow(2, exponent));
        return TimeSpan.FromMilliseconds(raw * (0.5 + (Random.Shared.NextDouble() * 0.5)));
    }
}

/// <summary>At most <c>max</c> connection attempts per sliding window (Binance: 300 per 5 minutes per IP).</summary>
internal sealed class ConnectionAttemptLimiter(int max, TimeSpan window, TimeProvider time)
{
    private readonly Queue<long> _attempts = new();

    public async Task WaitAsync(CancellationToken token)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_attempts)
            {
                var now = time.GetTimestamp();
                while (_attempts.Count > 0 && time.GetElapsedTime(_attempts.Peek(), now) >= window)
                {
                    _attempts.Dequeue();
                }

                if (_attempts.Count < max)
                {
                    _attempts.Enqueue(now);
                    return;
                }

                wait = window - time.GetElapsedTime(_attempts.Peek(), now);
            }

            await Task.Delay(wait, time, token);
        }
    }
}
