using Microsoft.Extensions.Logging;

namespace TradeStat.Infrastructure.Feed;

/// <summary>
/// Keeps a <see cref="ConnectionSlot"/>'s streams served by one live connection at a time: reconnects with backoff,
/// rotates before a connection's lifetime ends or when the server announces a shutdown, and restarts the slot after a
/// failure nobody anticipated.
/// </summary>
internal sealed class SlotSupervisor(
    BinanceOptions options,
    TradeIngestor ingestor,
    Backfiller backfill,
    ConnectionAttemptLimiter attempts,
    TimeProvider time,
    ILoggerFactory loggers)
{
    // Logged under the feed service's category, where operators have always found these lines.
    private readonly ILogger _logger = loggers.CreateLogger<BinanceFeedService>();

    // Supervises a slot: a failure that the connection loop does not know (a bug, an exception type nobody listed)
    // must not end the slot's streams for good. It is logged as an error, counted as a reconnect, and the slot starts
    // over with backoff (the attempt limiter still applies).
    public async Task RunAsync(ConnectionSlot slot, CancellationToken token)
    {
        for (var crashes = 1; !token.IsCancellationRequested; crashes++)
        {
            try
            {
                await RunOnceAsync(slot, token);
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
                    await Task.Delay(Backoff.Delay(Math.Min(crashes, 10), options), time, token);
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
    private async Task RunOnceAsync(ConnectionSlot slot, CancellationToken token)
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
                    await Task.Delay(options.SymbolRefreshInterval, time, token);
                    continue;
                }

                await attempts.WaitAsync(token);

                // Planned from the slot's streams and attached in one step: a refresh that adds streams in between
                // (the attempt limiter can wait minutes) would otherwise SUBSCRIBE them only on the connections already
                // attached, and this one would never carry them until its next reconnect.
                var connection = slot.AttachNew(s => new StreamConnection(slot.Index, ConnectionPlanner.PlanConnection(s, options), options, ingestor, backfill, time, logger));
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

                    var delay = Backoff.Delay(failures, options);
                    _logger.LogWarning("Connection {Slot}: lost before its subscriptions were confirmed; retrying in {Delay}", slot.Index, delay);
                    await Task.Delay(delay, time, token);
                    continue;
                }

                failures = 0;
                if (previous is { } old)
                {
                    // Both connections have delivered for RotationOverlap; duplicates were dropped by trade id.
                    await Task.WhenAny(old.Run, Task.Delay(options.RotationOverlap, time, token));
                    await old.Connection.StopAsync();
                    await old.Run;
                    slot.Detach(old.Connection);
                    await old.Connection.DisposeAsync();
                    previous = null;
                }

                using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(token);
                var rotate = Task.Delay(options.ConnectionLifetime, time, lifetime.Token);
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
                var wait = Backoff.Delay(1, options);
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
}
