using TradeStat.Domain.Feed;

namespace TradeStat.Infrastructure.Feed;

/// <summary>The fields of a trade the statistics need.</summary>
internal struct TradeFields
{
    public long TradeId;
    public long Price;

    /// <summary>Trade time (<c>T</c>, ms since the epoch; 0 when absent).</summary>
    public long TradeTime;
    public int SymbolLength;
    public long ResponseId;
    public ScaledPrice.ParseError PriceError;
}
