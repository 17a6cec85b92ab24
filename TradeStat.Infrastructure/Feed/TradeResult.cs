namespace TradeStat.Infrastructure.Feed;

/// <summary>What happened to a trade.</summary>
public enum TradeResult
{
    /// <summary>Counted.</summary>
    Applied,

    /// <summary>Already counted (a reconnect or an overlapping connection delivered it again).</summary>
    Duplicate,

    /// <summary>Trades between the last counted one and this one are missing: a gap opens and this trade is held.</summary>
    Gap,

    /// <summary>A gap is open: held, counted once the trades before it are in.</summary>
    Held,

    /// <summary>A gap is open and the held trades are at their bound: not kept, fetched with the gap instead.</summary>
    Deferred,
}
