namespace TradeStat.Domain.Feed;

/// <summary>A symbol's statistics; prices in half-units (see <see cref="ScaledPrice.FormatHalfUnits"/>).</summary>
public readonly record struct FeedSnapshot(string Symbol, long Count, long? MedianHalfUnits, long? LastHalfUnits, bool Exact, double MaxRelativeError);
