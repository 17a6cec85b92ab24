namespace TradeStat.Infrastructure.Feed;

/// <summary>Settings of the feed's per-symbol state, taken from <see cref="BinanceOptions"/> at registration.</summary>
public sealed class FeedBookOptions
{
    /// <summary>True when the feed runs (<c>Binance:Enabled</c>).</summary>
    public bool Enabled { get; set; }

    /// <summary>Distinct price levels kept exactly per symbol before neighbouring levels merge (32 B each).</summary>
    public int MaxDistinctPricesPerSymbol { get; set; } = BinanceOptions.DefaultMaxDistinctPricesPerSymbol;

    /// <summary>Live trades held per symbol while its gap is back-filled.</summary>
    public int MaxHeldTradesPerSymbol { get; set; } = FeedSymbol.DefaultMaxHeld;
}
