using TradeStat.Domain.Feed;

namespace TradeStat.Infrastructure.Feed;

/// <summary>
/// O(log d) per trade and per read (d = distinct prices kept); memory a <see cref="StreamingMedian"/> and a few counters.
/// Everything kept for one symbol: trade count, infinite median, last price, last trade id (for exactly-once
/// counting). One lock per symbol: writers are the feed connections, readers the API.
/// </summary>
public sealed class FeedSymbol
{
    private readonly Lock _lock = new();
    private readonly StreamingMedian _median;
    private long _lastPrice;
    private long _lastTradeId = -1;

    /// <summary>Creates the empty state of <paramref name="symbol"/>.</summary>
    public FeedSymbol(string symbol, int maxDistinctPrices)
    {
        Symbol = symbol;
        _median = new StreamingMedian(maxDistinctPrices);
    }

    /// <summary>The symbol as listed (upper case).</summary>
    public string Symbol { get; }

    /// <summary>Id of the last trade counted, −1 before the first.</summary>
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

    /// <summary>
    /// Counts trade <paramref name="tradeId"/> at <paramref name="price"/> units when it is the next one (or the first):
    /// a trade id at or below the last one is a duplicate; one beyond the next is a gap and is not applied
    /// (the caller back-fills <see cref="TradeOutcome.GapFrom"/>.. then calls <see cref="ApplyAfterGap"/>).
    /// </summary>
    public TradeOutcome Apply(long tradeId, long price)
    {
        lock (_lock)
        {
            if (tradeId <= _lastTradeId)
            {
                return new TradeOutcome(TradeResult.Duplicate, 0);
            }

            if (_lastTradeId >= 0 && tradeId != _lastTradeId + 1)
            {
                return new TradeOutcome(TradeResult.Gap, _lastTradeId + 1);
            }

            Count(tradeId, price);
            return new TradeOutcome(TradeResult.Applied, 0);
        }
    }

    /// <summary>Counts a trade whatever the gap before it (after back-filling what could be); duplicates still drop.</summary>
    public TradeOutcome ApplyAfterGap(long tradeId, long price)
    {
        lock (_lock)
        {
            if (tradeId <= _lastTradeId)
            {
                return new TradeOutcome(TradeResult.Duplicate, 0);
            }

            var missed = _lastTradeId >= 0 ? tradeId - _lastTradeId - 1 : 0;
            Count(tradeId, price);
            return new TradeOutcome(TradeResult.Applied, missed);
        }
    }

    /// <summary>A consistent view (count, median, last, exactness). O(1).</summary>
    public FeedSnapshot Snapshot()
    {
        lock (_lock)
        {
            return _median.Count == 0
                ? new FeedSnapshot(Symbol, 0, null, null, true, 0)
                : new FeedSnapshot(Symbol, _median.Count, _median.MedianHalfUnits, _lastPrice * 2, _median.IsExact, _median.MaxRelativeError);
        }
    }

    private void Count(long tradeId, long price)
    {
        _lastTradeId = tradeId;
        _lastPrice = price;
        _median.Add(price);
    }
}

/// <summary>Result of <see cref="FeedSymbol.Apply"/>: for a gap, the first missing id; after a gap, how many were never filled.</summary>
public readonly record struct TradeOutcome(TradeResult Result, long GapFromOrMissed)
{
    /// <summary>First missing trade id (for <see cref="TradeResult.Gap"/>).</summary>
    public long GapFrom => GapFromOrMissed;
}
