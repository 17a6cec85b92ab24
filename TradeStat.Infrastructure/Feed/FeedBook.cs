using TradeStat.Domain.Feed;

namespace TradeStat.Infrastructure.Feed;

/// <summary>
/// The live universe behind one volatile reference: ingestion and the API read it lock-free, a refresh swaps in a new
/// one without stopping either.
/// </summary>
public sealed class FeedBook(FeedBookOptions options) : IFeedService
{
    private FeedUniverse _universe = FeedUniverse.Empty;

    /// <summary>The current universe.</summary>
    public FeedUniverse Universe => Volatile.Read(ref _universe);

    /// <summary>True once a universe has been loaded.</summary>
    public bool IsLoaded { get; private set; }

    /// <summary>Replaces the universe with <paramref name="symbols"/>, keeping the state of symbols still listed.</summary>
    public UniverseChange Replace(IEnumerable<string> symbols)
    {
        var old = Universe;
        var next = FeedUniverse.Create(symbols, old, options.MaxDistinctPricesPerSymbol);
        var oldSet = old.Symbols.ToHashSet(StringComparer.Ordinal);
        var newSet = next.Symbols.ToHashSet(StringComparer.Ordinal);
        Volatile.Write(ref _universe, next);
        IsLoaded = true;
        return new UniverseChange(
            next.Symbols.Where(s => !oldSet.Contains(s)).ToArray(),
            old.Symbols.Where(s => !newSet.Contains(s)).ToArray(),
            next.Symbols.Count);
    }

    /// <inheritdoc />
    public bool IsEnabled => options.Enabled;

    /// <inheritdoc />
    public IReadOnlyList<string> Symbols => Universe.Symbols;

    /// <inheritdoc />
    public FeedSnapshot? Get(string symbol) => Universe.FindIgnoreCase(symbol)?.Snapshot();
}

/// <summary>Symbols added and removed by a universe refresh.</summary>
public sealed record UniverseChange(IReadOnlyList<string> Added, IReadOnlyList<string> Removed, int Total);
