using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TradeStat.Infrastructure.Feed;

/// <summary>
/// The hosted service of the feed: nothing when <c>Binance:Enabled</c> is false; the replay when
/// <c>Binance:ReplayFile</c> is set; otherwise the live feed: the universe from exchangeInfo (its tradable symbols: every
/// status but BREAK), one plan slot per group of streams (each kept served by <see cref="SlotSupervisor"/>), and a
/// periodic refresh that subscribes new listings and symbols back from BREAK and unsubscribes the ones that left.
/// </summary>
internal sealed class BinanceFeedService(
    IOptions<BinanceOptions> options,
    FeedBook book,
    ExchangeInfoClient exchangeInfo,
    TradeIngestor ingestor,
    Backfiller backfill,
    ReplaySource replay,
    FeedCheckpoints checkpoints,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    private readonly BinanceOptions _options = options.Value;
    private readonly ILogger _logger = loggers.CreateLogger<BinanceFeedService>();
    private readonly List<ConnectionSlot> _slots = [];
    private readonly SlotSupervisor _supervisor = new(
        options.Value,
        ingestor,
        backfill,
        new ConnectionAttemptLimiter(options.Value.MaxConnectAttemptsPer5Minutes, TimeSpan.FromMinutes(5), time),
        time,
        loggers);

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

        // Before anything is counted: the restored states carry their last trade ids, so the first live trade of each
        // opens a gap that the back-fill fills from the exchange's history, exactly once.
        if (!checkpoints.TryRestore())
        {
            return;
        }

        var symbols = await LoadSymbolsAsync(stoppingToken);
        if (symbols is null)
        {
            return;
        }

        // The tradable symbols (every status but BREAK): a BREAK symbol is neither subscribed nor listed until it trades.
        var change = book.Replace(symbols);
        _logger.LogInformation("Universe: {Count} tradable symbols", change.Total);
        var backfilling = backfill.RunAsync(stoppingToken);

        // A first start: the universe on disk before the first trade (cheap, nothing counted yet), so that after a crash
        // before the first periodic checkpoint the symbols are restored anchored at this moment and their trades since
        // are fetched. After a restore the file already holds them, and rewriting a large state here would only delay
        // the subscriptions.
        if (!checkpoints.Exists)
        {
            checkpoints.Save();
        }
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
        await backfilling;
    }

    private async Task<IReadOnlyList<string>?> LoadSymbolsAsync(CancellationToken token)
    {
        for (var failures = 1; !token.IsCancellationRequested; failures++)
        {
            try
            {
                return await exchangeInfo.GetSymbolsAsync(token);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or InvalidDataException or System.Text.Json.JsonException or OperationCanceledException && !token.IsCancellationRequested)
            {
                var delay = Backoff.Delay(failures, _options);
                if (e is HttpRequestException { StatusCode: { } status } && (status == System.Net.HttpStatusCode.TooManyRequests || (int)status == 418))
                {
                    // The answer has blocked the REST governor until its Retry-After: the next attempt waits there, after
                    // the backoff, so nothing is sent before Binance allows it.
                    _logger.LogWarning("exchangeInfo answered {Status}; retrying in {Delay}, once Binance's Retry-After has passed", (int)status, delay);
                }
                else
                {
                    _logger.LogWarning("exchangeInfo failed ({Error}); retrying in {Delay}", e.Message, delay);
                }

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

    // Follows exchangeInfo: symbols that left the tradable list (delisted, or in BREAK) are unsubscribed and retired with
    // their statistics; new listings and symbols back from BREAK are subscribed, on the slots with room first.
    private async Task RefreshAsync(CancellationToken token)
    {
        ExchangeListing listing;
        try
        {
            listing = await exchangeInfo.GetListingAsync(token);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidDataException or System.Text.Json.JsonException or OperationCanceledException && !token.IsCancellationRequested)
        {
            _logger.LogWarning("exchangeInfo refresh failed ({Error}); keeping the current universe", e.Message);
            return;
        }

        if (listing.Tradable.Count == 0)
        {
            // An empty list (or one where everything is in BREAK) is far likelier a broken answer than every symbol
            // delisted at once: applying it would unsubscribe everything. Keep the universe and say so.
            _logger.LogWarning("exchangeInfo refresh listed no tradable symbols ({Listed} listed); keeping the current universe", listing.Symbols.Count);
            return;
        }

        var change = book.Replace(listing.Tradable);
        if (change.Added.Count == 0 && change.Removed.Count == 0)
        {
            return;
        }

        _logger.LogInformation("Universe refresh: {Added} added, {Removed} removed (delisted or in BREAK), {Total} listed, {Retired} retired with their statistics",
            change.Added.Count, change.Removed.Count, change.Total, change.Retired);
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
        var slot = new ConnectionSlot(_slots.Count, streams);
        _slots.Add(slot);
        slot.Runner = Task.Run(() => _supervisor.RunAsync(slot, token), token);
    }
}
