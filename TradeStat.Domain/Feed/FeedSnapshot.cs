namespace TradeStat.Domain.Feed;

/// <summary>
/// A symbol's statistics; prices in half-units (see <see cref="ScaledPrice.FormatHalfUnits"/>). <see cref="Missed"/>
/// counts trades of gaps given up (never counted): the exchange refused them, the gap was over the back-fill's bound, or
/// the exchange kept answering without them; <see cref="Filling"/> is true while a
/// gap is being back-filled (live trades after it are held, not yet counted). The median is over every trade of the
/// symbol since the feed started when <see cref="Missed"/> is 0 and <see cref="Filling"/> is false.
/// </summary>
public readonly record struct FeedSnapshot(
    string Symbol,
    long Count,
    long? MedianHalfUnits,
    long? LastHalfUnits,
    bool Exact,
    double MaxRelativeError,
    long Missed = 0,
    bool Filling = false);
