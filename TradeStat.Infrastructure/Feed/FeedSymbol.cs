using TradeStat.Domain.Feed;

namespace TradeStat.Infrastructure.Feed;

/// <summary>
/// O(log d) per trade and per read (d = distinct prices kept); memory a <see cref="StreamingMedian"/>, a few counters
/// and, only while a gap is being filled, the live trades held behind it.
/// Everything kept for one symbol: trade count, infinite median, last price, last trade id (for exactly-once
/// counting), trades missed for good. One lock per symbol: writers are the feed connections and the back-fill, readers
/// the API.
/// </summary>
/// <remarks>
/// Trade ids of a symbol are consecutive, so the next trade to count is always <c>LastTradeId + 1</c>. When a later id
/// arrives first, the symbol enters the filling state: live trades are held (sorted by id, duplicates dropped, at most
/// <c>maxHeld</c> of them) while the back-fill applies the missing ones through <see cref="ApplyFilled"/>; each call
/// of <see cref="NextGap"/> then counts the held trades that have become next and says what is still missing. Held
/// trades beyond the bound are not kept but remembered by their highest id, so the back-fill fetches them as well:
/// nothing is dropped for being late, only for being unobtainable (<see cref="GiveUp"/>), and that is counted.
/// </remarks>
public sealed class FeedSymbol
{
    /// <summary>Default bound on the live trades held per symbol while its gap is filled.</summary>
    public const int DefaultMaxHeld = 10_000;

    private readonly Lock _lock = new();
    private readonly StreamingMedian _median;
    private readonly int _maxHeld;
    private long _lastPrice;
    private long _lastTradeId = -1;
    private long _lastTime;
    private long _missed;
    private List<HeldTrade>? _held;
    private long _highestDeferred = -1;

    /// <summary>Creates the empty state of <paramref name="symbol"/>.</summary>
    public FeedSymbol(string symbol, int maxDistinctPrices, int maxHeld = DefaultMaxHeld)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxHeld, 1);
        Symbol = symbol;
        _median = new StreamingMedian(maxDistinctPrices);
        _maxHeld = maxHeld;
    }

    // For Restore: the median comes rebuilt from a checkpoint.
    private FeedSymbol(string symbol, StreamingMedian median, int maxHeld)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxHeld, 1);
        Symbol = symbol;
        _median = median;
        _maxHeld = maxHeld;
    }

    /// <summary>The symbol as listed (upper case).</summary>
    public string Symbol { get; }

    /// <summary>Id of the last trade counted (or given up), −1 before the first.</summary>
    public long LastTradeId
    {
        get
        {
            lock (_lock)
            {
                return _lastTradeId;
            }
        }
    }

    /// <summary>True while a gap is open: live trades are held until the back-fill has filled it.</summary>
    public bool IsFilling
    {
        get
        {
            lock (_lock)
            {
                return _held is not null;
            }
        }
    }

    /// <summary>Trades the exchange could no longer serve: never counted.</summary>
    public long Missed
    {
        get
        {
            lock (_lock)
            {
                return _missed;
            }
        }
    }

    /// <summary>
    /// A live trade. Counted when it is the next one (or the first ever); a trade id at or below the last one is a
    /// duplicate; a later one opens a gap (<see cref="TradeResult.Gap"/>, once: the caller schedules the back-fill) or,
    /// while one is open, is held.
    /// </summary>
    public TradeOutcome Apply(long tradeId, long price, long time = 0)
    {
        lock (_lock)
        {
            if (tradeId <= _lastTradeId)
            {
                return new TradeOutcome(TradeResult.Duplicate, 0);
            }

            if (_held is not null)
            {
                return Hold(tradeId, price, time);
            }

            // Anchored (restored without a trade yet): the trades since the anchor time come first, from the history.
            if ((_lastTradeId >= 0 && tradeId != _lastTradeId + 1) || Anchored)
            {
                _held = [];
                Hold(tradeId, price, time);
                return new TradeOutcome(TradeResult.Gap, _lastTradeId + 1);
            }

            Count(tradeId, price, time);
            return new TradeOutcome(TradeResult.Applied, 0);
        }
    }

    /// <summary>
    /// Counts the held trades that have become next, then returns the range still missing, or false once the gap is
    /// closed (the symbol leaves the filling state). <paramref name="counted"/>: held trades counted by this call;
    /// <paramref name="closed"/>: true only for the call that closed the gap.
    /// </summary>
    public bool NextGap(out GapRange gap, out int counted, out bool closed)
    {
        lock (_lock)
        {
            gap = default;
            counted = 0;
            closed = false;
            if (_held is null)
            {
                return false;
            }

            var applied = 0;
            while (applied < _held.Count && _held[applied].Id <= _lastTradeId + 1)
            {
                var h = _held[applied++];
                if (h.Id == _lastTradeId + 1)
                {
                    Count(h.Id, h.Price, h.Time);
                    counted++;
                }
            }

            _held.RemoveRange(0, applied);
            if (_held.Count > 0)
            {
                // From −1: the first trade since the anchor time is not known yet (see SetOrigin).
                gap = new GapRange(Anchored ? -1 : _lastTradeId + 1, _held[0].Id, _lastTime, _held[0].Time);
                return true;
            }

            if (_highestDeferred > _lastTradeId)
            {
                gap = new GapRange(_lastTradeId + 1, _highestDeferred + 1, _lastTime, 0);
                return true;
            }

            _held = null;
            _highestDeferred = -1;
            closed = true;
            return false;
        }
    }

    /// <summary>True while the symbol is anchored: it has no trade yet and counts from its anchor time on.</summary>
    public bool IsAnchored
    {
        get
        {
            lock (_lock)
            {
                return Anchored;
            }
        }
    }

    // No trade counted yet, but a time to count from (call under the lock).
    private bool Anchored => _lastTradeId < 0 && _lastTime > 0;

    /// <summary>
    /// Anchors a symbol without trades at <paramref name="timeMs"/> (ms since the epoch): its first live trade then opens a
    /// gap from the first trade at or after that time, which the back-fill finds (<see cref="SetOrigin"/>). A restored
    /// symbol that had not traded when its checkpoint was written is anchored at that checkpoint's time, so trades made
    /// after the checkpoint and lost with the process are counted; no effect on a symbol with trades.
    /// </summary>
    internal void Anchor(long timeMs)
    {
        lock (_lock)
        {
            if (_lastTradeId < 0 && timeMs > 0)
            {
                // An anchor kept from an earlier checkpoint stays: its trades may still be waiting to be fetched.
                _lastTime = _lastTime > 0 ? Math.Min(_lastTime, timeMs) : timeMs;
            }
        }
    }

    /// <summary>
    /// Sets the first trade id counted of an anchored symbol (the first trade at or after the anchor time, or the first
    /// held one if no earlier trade exists): the gap then runs from it, like any gap.
    /// </summary>
    internal void SetOrigin(long firstTradeId)
    {
        lock (_lock)
        {
            if (!Anchored)
            {
                return;
            }

            if (_held is { Count: > 0 } held && held[0].Id < firstTradeId)
            {
                firstTradeId = held[0].Id;
            }

            _lastTradeId = Math.Max(0, firstTradeId) - 1;
            if (_lastTradeId < 0)
            {
                // The symbol's very first trade is next: nothing before it to anchor.
                _lastTime = 0;
            }
        }
    }

    /// <summary>A back-filled trade: counted only when it is the next one; false otherwise (already counted, or ahead).</summary>
    public bool ApplyFilled(long tradeId, long price, long time)
    {
        lock (_lock)
        {
            if (tradeId != _lastTradeId + 1)
            {
                return false;
            }

            Count(tradeId, price, time);
            return true;
        }
    }

    /// <summary>
    /// Declares the trades before <paramref name="toExclusive"/> that are still missing as missed for good (the exchange
    /// can no longer serve them); returns how many. The next <see cref="NextGap"/> carries on after them.
    /// </summary>
    public long GiveUp(long toExclusive)
    {
        lock (_lock)
        {
            // A trade held meanwhile (another connection delivered it) is not given up: the gap ends before it.
            if (_held is { Count: > 0 } held && held[0].Id < toExclusive)
            {
                toExclusive = held[0].Id;
            }

            var missed = toExclusive - _lastTradeId - 1;
            if (missed <= 0 || _lastTradeId < 0)
            {
                return 0;
            }

            _missed += missed;
            _lastTradeId = toExclusive - 1;
            return missed;
        }
    }

    /// <summary>A consistent view (count, median, last, exactness, completeness). O(1).</summary>
    public FeedSnapshot Snapshot()
    {
        lock (_lock)
        {
            return _median.Count == 0
                ? new FeedSnapshot(Symbol, 0, null, null, true, 0, _missed, _held is not null)
                : new FeedSnapshot(Symbol, _median.Count, _median.MedianHalfUnits, _lastPrice * 2, _median.IsExact, _median.MaxRelativeError,
                    _missed, _held is not null);
        }
    }

    /// <summary>
    /// A consistent copy of the durable state, taken under the lock. Trades held behind an open gap are left out: they
    /// are not counted yet, and after a restart the back-fill fetches them again. O(d), allocates the level arrays.
    /// </summary>
    internal SymbolState Capture()
    {
        lock (_lock)
        {
            var prices = new long[_median.Distinct];
            var counts = new long[_median.Distinct];
            _median.CopyLevels(prices, counts);
            return new SymbolState(Symbol, _median.Count, _lastPrice, _lastTradeId, _lastTime, _missed,
                _median.SignificantDigits, _median.MaxRelativeError, prices, counts);
        }
    }

    /// <summary>
    /// The symbol as <paramref name="state"/> left it, not filling: the next trade after <c>LastTradeId</c> counts, a
    /// later one opens a gap. The median answers every later trade exactly as the captured one would have. O(d).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="state"/> is not one a symbol can have.</exception>
    internal static FeedSymbol Restore(SymbolState state, int maxDistinctPrices, int maxHeld = DefaultMaxHeld)
    {
        ArgumentNullException.ThrowIfNull(state);
        var problem = state.FindProblem();
        if (problem is not null)
        {
            throw new ArgumentException($"{state.Symbol}: {problem}", nameof(state));
        }

        var median = StreamingMedian.FromLevels(state.Prices, state.Counts, state.SignificantDigits, state.MaxRelativeError,
            maxDistinctPrices);
        return new FeedSymbol(state.Symbol, median, maxHeld)
        {
            _lastPrice = state.LastPrice,
            _lastTradeId = state.LastTradeId,
            _lastTime = state.LastTime,
            _missed = state.Missed,
        };
    }

    /// <summary>
    /// Appends this symbol's record to <paramref name="writer"/>'s buffer, under the lock: only encoding happens while
    /// it is held, never I/O, so a slow disk cannot stall the connection that feeds this symbol. O(d), no allocation
    /// once the buffer has grown to the largest record.
    /// </summary>
    internal void WriteState(FeedCheckpoint.Writer writer)
    {
        lock (_lock)
        {
            writer.WriteRecord(Symbol, _median, _lastPrice, _lastTradeId, _lastTime, _missed);
        }
    }

    private TradeOutcome Hold(long tradeId, long price, long time)
    {
        var held = _held!;

        // Live trades arrive in id order, so the insertion point is almost always the end.
        var at = held.Count;
        while (at > 0 && held[at - 1].Id > tradeId)
        {
            at--;
        }

        if (at > 0 && held[at - 1].Id == tradeId)
        {
            return new TradeOutcome(TradeResult.Duplicate, 0);
        }

        if (held.Count >= _maxHeld)
        {
            // Not kept, not lost: the back-fill fetches every id up to the highest one seen.
            _highestDeferred = Math.Max(_highestDeferred, tradeId);
            return new TradeOutcome(TradeResult.Deferred, 0);
        }

        held.Insert(at, new HeldTrade(tradeId, price, time));
        return new TradeOutcome(TradeResult.Held, 0);
    }

    private void Count(long tradeId, long price, long time)
    {
        _lastTradeId = tradeId;
        _lastPrice = price;
        if (time > 0)
        {
            _lastTime = time;
        }

        _median.Add(price);
    }

    private readonly record struct HeldTrade(long Id, long Price, long Time);
}

/// <summary>Result of <see cref="FeedSymbol.Apply"/>: for a gap, the first missing id.</summary>
public readonly record struct TradeOutcome(TradeResult Result, long GapFrom);

/// <summary>
/// Trade ids [<see cref="From"/>, <see cref="ToExclusive"/>) still missing; the time of the last counted trade and of the
/// first held one (0 when unknown) bound where the back-fill looks.
/// </summary>
public readonly record struct GapRange(long From, long ToExclusive, long FromTime, long ToTime)
{
    /// <summary>How many trades are missing.</summary>
    public long Length => ToExclusive - From;
}
