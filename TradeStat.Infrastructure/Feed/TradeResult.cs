namespace TradeStat.Infrastructure.Feed;

/// <summary>What happened to a trade.</summary>
public enum TradeResult
{
    /// <summary>Counted.</summary>
    Applied,

    /// <summary>Already counted (a reconnect or an overlapping connection delivered it again).</summary>
    Duplicate,

    /// <summary>Trades between the last counted one and this one are missing; nothing was counted.</summary>
    Gap,
}
