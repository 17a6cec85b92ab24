namespace TradeStat.Domain.Feed;

/// <summary>Reads the live feed's per-symbol statistics.</summary>
public interface IFeedService
{
    /// <summary>True when the live feed is configured to run; off, there is nothing to read.</summary>
    bool IsEnabled { get; }

    /// <summary>Every symbol of the universe, sorted.</summary>
    IReadOnlyList<string> Symbols { get; }

    /// <summary>The statistics of <paramref name="symbol"/> (case-insensitive), or null when it is not listed.</summary>
    FeedSnapshot? Get(string symbol);
}
