using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace TradeStat.Infrastructure.Feed;

/// <summary>
/// Fills the gaps in symbols' trade ids beside the receive loops, never inside them: a connection only hands the gapped
/// symbol over (<see cref="Enqueue"/>) and goes back to reading, so pongs and control answers are never delayed by REST
/// work. <c>BackfillConcurrency</c> workers take symbols from one queue; live trades after a gap are held by the symbol
/// meanwhile and counted in id order once the gap is in.
/// </summary>
/// <remarks>
/// Sources, cheapest first: <c>aggTrades</c> (weight 4; one row stands for a run of trades at one price, so a page of
/// 1000 rows covers 1000 trades or more), walked by time from the last counted trade and then by aggregate id; when the
/// lagging history still does not reach the live edge after <c>LaggingAttemptsBeforeRecentTrades</c> tries, the newest
/// trades (<c>trades</c>, weight 25, from memory); when the time of the last counted trade is unknown,
/// <c>historicalTrades</c> by trade id (weight 25). A gap the history does not serve yet is asked again with a doubling
/// wait, never dropped; it is given up (its trades counted missed, per symbol) only when the exchange refuses it, when it
/// is over <c>MaxBackfillPerGap</c>, or after <c>BackfillGiveUpAfter</c> without progress.
/// </remarks>
internal sealed class Backfiller(BinanceOptions options, TradeHistoryClient history, TradeIngestor ingestor, TimeProvider time,
    ILogger<Backfiller> logger)
{
    // A time window of aggTrades must be under an hour.
    private const long WindowMs = 3_600_000 - 1;

    // Empty hours walked before a gap is asked by trade id instead.
    private const int MaxWindowsWalked = 3;

    private readonly Channel<FeedSymbol> _queue = Channel.CreateUnbounded<FeedSymbol>(new UnboundedChannelOptions { SingleReader = false });
    private readonly ConcurrentDictionary<FeedSymbol, Attempt> _attempts = new(ReferenceEqualityComparer.Instance);
    private CancellationToken _stopping;

    /// <summary>Symbols with a gap being filled or waiting for a retry.</summary>
    public int Pending => _attempts.Count;

    /// <summary>Schedules the back-fill of a symbol that just opened a gap (after <c>BackfillDelay</c>: the history lags).</summary>
    public void Enqueue(FeedSymbol state)
    {
        var attempt = new Attempt(time.GetTimestamp());
        if (_attempts.TryAdd(state, attempt))
        {
            Schedule(state, options.BackfillDelay);
        }
    }

    /// <summary>Runs the workers until <paramref name="token"/> is cancelled.</summary>
    public Task RunAsync(CancellationToken token)
    {
        _stopping = token;
        var workers = new Task[options.BackfillConcurrency];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = WorkAsync(token);
        }

        return Task.WhenAll(workers);
    }

    private async Task WorkAsync(CancellationToken token)
    {
        try
        {
            await foreach (var state in _queue.Reader.ReadAllAsync(token))
            {
                try
                {
                    await FillAsync(state, token);
                }
                catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    // A bug must not end the worker: the symbol is tried again later.
                    logger.LogError(e, "{Symbol}: back-fill failed unexpectedly; trying again later", state.Symbol);
                    if (_attempts.TryGetValue(state, out var attempt))
                    {
                        attempt.Tries++;
                    }

                    Retry(state);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task FillAsync(FeedSymbol state, CancellationToken token)
    {
        if (!_attempts.TryGetValue(state, out var attempt))
        {
            return;
        }

        while (true)
        {
            var beforeDrain = state.LastTradeId;
            if (!ingestor.NextGap(state, out var gap))
            {
                break;
            }

            if (state.LastTradeId != beforeDrain)
            {
                // Held trades were counted: the gap now starts later, at their time.
                attempt.Aggregate = -1;
            }

            if (gap.From < 0)
            {
                // Anchored: find the first trade since the anchor time, then fill from it like any gap.
                var found = await FindOriginAsync(state, gap, token);
                if (found == HistoryStatus.Ok)
                {
                    attempt.Progressed(time.GetTimestamp());
                    continue;
                }

                attempt.Tries++;
                Retry(state);
                return;
            }

            if (gap.Length > options.MaxBackfillPerGap)
            {
                GiveUp(state, gap, attempt, $"a gap of {gap.Length} trades is over Binance:MaxBackfillPerGap");
                continue;
            }

            var before = state.LastTradeId;
            var status = await FetchAsync(state, gap, attempt, token);
            if (status == HistoryStatus.Refused)
            {
                GiveUp(state, gap, attempt, "the exchange refused the request");
                continue;
            }

            var now = time.GetTimestamp();
            if (state.LastTradeId > before)
            {
                attempt.Progressed(now);
                continue;
            }

            if (status != HistoryStatus.Ok)
            {
                // Throttled (the governor holds every call through the exchange's Retry-After) or failed (network,
                // timeout, 5xx): the exchange has not said it cannot serve the gap, so this is no reason to give it up.
                attempt.Waited(now);
            }
            else if (time.GetElapsedTime(attempt.LastProgress, now) >= options.BackfillGiveUpAfter)
            {
                GiveUp(state, gap, attempt, $"answered without these trades for Binance:BackfillGiveUpAfter = {options.BackfillGiveUpAfter}");
                attempt.Progressed(now);
                continue;
            }

            attempt.Tries++;
            Retry(state);
            return;
        }

        _attempts.TryRemove(state, out _);

        // A new gap opened between the last pass and the removal found the symbol still scheduled and left it to us.
        if (state.IsFilling)
        {
            Enqueue(state);
        }
    }

    private void GiveUp(FeedSymbol state, GapRange gap, Attempt attempt, string reason)
    {
        ingestor.GiveUp(state, gap, reason);
        attempt.Aggregate = -1;
    }

    // One pass at a gap: as far as the chosen source serves it now.
    private async Task<HistoryStatus> FetchAsync(FeedSymbol state, GapRange gap, Attempt attempt, CancellationToken token)
    {
        // Without the last trade's time, or when the gap spans many hours (a symbol back after months), walking the
        // aggregates hour by hour would cost a request per empty hour: one request by trade id costs less.
        if (gap.FromTime <= 0 || (attempt.Aggregate < 0 && gap.ToTime - gap.FromTime > MaxWindowsWalked * (WindowMs + 1)))
        {
            return await FromHistoricalTradesAsync(state, gap, token);
        }

        var status = await FromAggregatesAsync(state, gap, attempt, token);
        if (status == HistoryStatus.Ok && gap.ToTime > 0 && state.LastTradeId + 1 < gap.ToExclusive
            && attempt.Tries >= options.LaggingAttemptsBeforeRecentTrades)
        {
            status = await FromRecentTradesAsync(state, gap, token);
        }

        return status;
    }

    // The first trade at or after the anchor time: the first aggregate of the first non-empty hour from it. When the
    // hours up to the held trade are empty, the recent trades (from memory) tell a lagging history from a quiet symbol.
    private async Task<HistoryStatus> FindOriginAsync(FeedSymbol state, GapRange gap, CancellationToken token)
    {
        var windowStart = gap.FromTime;
        for (var window = 0; window <= MaxWindowsWalked; window++)
        {
            var page = await history.AggTradesAsync(state.Symbol, null, windowStart, windowStart + WindowMs, 1, token);
            if (page.Status != HistoryStatus.Ok)
            {
                return page.Status;
            }

            if (page.Rows.Count > 0)
            {
                state.SetOrigin(page.Rows[0].FirstId);
                return HistoryStatus.Ok;
            }

            windowStart += WindowMs + 1;
            if (windowStart > gap.ToTime)
            {
                break;
            }
        }

        if (windowStart <= gap.ToTime)
        {
            // Quiet for longer than the hours walked: the first aggregate from there on, without an end (the one-hour
            // bound applies only to a window with both ends).
            var later = await history.AggTradesAsync(state.Symbol, null, windowStart, 0, 1, token);
            if (later.Status != HistoryStatus.Ok)
            {
                return later.Status;
            }

            if (later.Rows.Count == 0)
            {
                // The held trade is newer than anything the history holds yet: it lags; ask again later.
                return HistoryStatus.Failed;
            }

            state.SetOrigin(later.Rows[0].FirstId);
            return HistoryStatus.Ok;
        }

        var recent = await history.RecentTradesAsync(state.Symbol, options.BackfillPageSize, token);
        if (recent.Status != HistoryStatus.Ok)
        {
            return recent.Status;
        }

        if (recent.Rows.Count >= options.BackfillPageSize && recent.Rows[0].Time > gap.FromTime)
        {
            // More trades since the anchor than the recent list holds, none in the history yet: it lags; ask again later.
            return HistoryStatus.Failed;
        }

        foreach (var row in recent.Rows)
        {
            if (row.Time >= gap.FromTime && row.FirstId < gap.ToExclusive)
            {
                state.SetOrigin(row.FirstId);
                return HistoryStatus.Ok;
            }
        }

        state.SetOrigin(gap.ToExclusive);
        return HistoryStatus.Ok;
    }

    private async Task<HistoryStatus> FromAggregatesAsync(FeedSymbol state, GapRange gap, Attempt attempt, CancellationToken token)
    {
        var windowStart = gap.FromTime;
        while (state.LastTradeId + 1 < gap.ToExclusive)
        {
            var page = await history.AggTradesAsync(state.Symbol, attempt.Aggregate >= 0 ? attempt.Aggregate : null,
                windowStart, windowStart + WindowMs, options.BackfillPageSize, token);
            if (page.Status != HistoryStatus.Ok)
            {
                return page.Status;
            }

            if (page.Rows.Count == 0)
            {
                // An hour without trades before the gap's first held trade: look in the next hour. Otherwise the history
                // has not caught up yet.
                if (attempt.Aggregate < 0 && gap.ToTime > windowStart + WindowMs)
                {
                    windowStart += WindowMs + 1;
                    continue;
                }

                return HistoryStatus.Ok;
            }

            var resumeAt = attempt.Aggregate;
            Apply(state, page.Rows, gap.ToExclusive, contiguous: true, out var lastRow);
            if (lastRow.AggregateId >= 0)
            {
                // Resume at the row holding the last counted trade: re-reading one row costs nothing and cannot skip one.
                attempt.Aggregate = lastRow.LastId > state.LastTradeId ? lastRow.AggregateId : lastRow.AggregateId + 1;
            }

            // A short page is the end of what the history holds now; a page that moved nothing forward (a hole in the
            // ids) would be asked again for ever.
            if (page.Rows.Count < options.BackfillPageSize || attempt.Aggregate <= resumeAt)
            {
                return HistoryStatus.Ok;
            }
        }

        return HistoryStatus.Ok;
    }

    private async Task<HistoryStatus> FromRecentTradesAsync(FeedSymbol state, GapRange gap, CancellationToken token)
    {
        var page = await history.RecentTradesAsync(state.Symbol, options.BackfillPageSize, token);
        if (page.Status == HistoryStatus.Ok)
        {
            Apply(state, page.Rows, gap.ToExclusive, contiguous: false, out _);
        }

        return page.Status;
    }

    private async Task<HistoryStatus> FromHistoricalTradesAsync(FeedSymbol state, GapRange gap, CancellationToken token)
    {
        while (state.LastTradeId + 1 < gap.ToExclusive)
        {
            var next = state.LastTradeId + 1;
            var limit = (int)Math.Min(options.BackfillPageSize, gap.ToExclusive - next);
            var page = await history.HistoricalTradesAsync(state.Symbol, next, limit, token);
            if (page.Status != HistoryStatus.Ok)
            {
                return page.Status;
            }

            if (!Apply(state, page.Rows, gap.ToExclusive, contiguous: true, out _))
            {
                return HistoryStatus.Ok;
            }
        }

        return HistoryStatus.Ok;
    }

    // Counts the rows' trades that are next, in id order, up to the gap's end; true when any was counted. lastRow: the last
    // row read (−1 ids when none). contiguous: the rows are a page of the history from the gap's start on, so ids they
    // skip are ids the exchange does not have (the recent trades are not: they may simply not reach back).
    private bool Apply(FeedSymbol state, IReadOnlyList<HistoryRow> rows, long toExclusive, bool contiguous, out HistoryRow lastRow)
    {
        var counted = false;
        lastRow = new HistoryRow(-1, -1, 0, 0, -1);
        foreach (var row in rows)
        {
            var from = Math.Max(row.FirstId, state.LastTradeId + 1);
            var to = Math.Min(row.LastId, toExclusive - 1);
            if (row.FirstId > state.LastTradeId + 1)
            {
                if (!contiguous)
                {
                    // The newest trades do not reach back to the gap: nothing more here.
                    break;
                }

                // The history answered and skips these ids (trade ids are consecutive, so it should not): it cannot
                // serve them, now or later. Counted missed, and the rows after the hole still count.
                ingestor.GiveUp(state, new GapRange(state.LastTradeId + 1, row.FirstId, 0, 0), "the exchange's history skips these ids");
                from = Math.Max(row.FirstId, state.LastTradeId + 1);
            }

            for (var id = from; id <= to; id++)
            {
                counted |= ingestor.ApplyBackfilled(state, id, row.Price, row.Time);
            }

            lastRow = row;
            if (row.LastId >= toExclusive - 1)
            {
                break;
            }
        }

        return counted;
    }

    private void Retry(FeedSymbol state)
    {
        if (!_attempts.TryGetValue(state, out var attempt))
        {
            return;
        }

        var doubling = options.BackfillDelay.Ticks <= 0 ? TimeSpan.FromMilliseconds(100) : options.BackfillDelay;
        var delay = TimeSpan.FromTicks(Math.Min(options.BackfillRetryMaxDelay.Ticks, doubling.Ticks << Math.Min(attempt.Tries, 20)));
        Schedule(state, delay);
    }

    private void Schedule(FeedSymbol state, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            _queue.Writer.TryWrite(state);
            return;
        }

        _ = ScheduleAsync(state, delay);
    }

    private async Task ScheduleAsync(FeedSymbol state, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, time, _stopping);
            _queue.Writer.TryWrite(state);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>Where a symbol's back-fill stands between passes.</summary>
    private sealed class Attempt(long started)
    {
        public long LastProgress { get; private set; } = started;

        public int Tries { get; set; }

        /// <summary>Aggregate id to resume aggTrades at; −1 before the first answer.</summary>
        public long Aggregate { get; set; } = -1;

        public void Progressed(long now)
        {
            LastProgress = now;
            Tries = 0;
        }

        /// <summary>The exchange gave no answer, or held us back: the give-up clock starts again, the backoff goes on.</summary>
        public void Waited(long now) => LastProgress = now;
    }
}
