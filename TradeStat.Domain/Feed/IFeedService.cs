namespace TradeStat.Domain.Feed;

/// <summary>Reads the live feed's per-symbol statistics.</summary>
public interface IFeedService
{
    /// <summary>True when the live feed is configured to run; off, there is nothing to read.</summary>
    bool IsEnabled { get; }

    /// <summary>The symbols that can trade (every exchange status but BREAK), sorted ordinally.</summary>
    IReadOnlyList<string> Symbols { get; }

    /// <summary>
    /// The statistics of <paramref name="symbol"/> (case-insensitive): of a tradable symbol, or of one that has left the
    /// universe (delisted, or BREAK) since the feed started; null for a symbol the feed has never followed.
    /// </summary>
    FeedSnapshot? Get(string symbol);
}
