namespace TradeStat.Infrastructure.Feed;

/// <summary>Settings of the feed's per-symbol state (bound from the <c>Binance</c> section).</summary>
public sealed class FeedBookOptions
{
    /// <summary>True when the feed runs (<c>Binance:Enabled</c>).</summary>
    public bool Enabled { get; set; }

    /// <summary>Distinct price levels kept exactly per symbol before neighbouring levels merge (32 B each).</summary>
    public int MaxDistinctPricesPerSymbol { get; set; } = 1_000_000;
}
