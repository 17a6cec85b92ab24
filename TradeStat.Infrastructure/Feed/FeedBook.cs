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

    /// <summary>
    /// Starts from restored states (a checkpoint), before the first <see cref="Replace"/>: they are readable at once, and
    /// listed once the exchange lists them.
    /// </summary>
    internal void Restore(IReadOnlyList<FeedSymbol> states) => Volatile.Write(ref _universe, FeedUniverse.FromStates(states));

    /// <summary>
    /// Lists exactly <paramref name="symbols"/> from now on (the live feed passes the tradable ones), keeping the state
    /// of every symbol: one no longer listed is retired with its statistics, one listed again gets its state back.
    /// </summary>
    public UniverseChange Replace(IEnumerable<string> symbols)
    {
        var old = Universe;
        var next = FeedUniverse.Create(symbols, old, options.MaxDistinctPricesPerSymbol, options.MaxHeldTradesPerSymbol);
        var oldSet = old.Symbols.ToHashSet(StringComparer.Ordinal);
        var newSet = next.Symbols.ToHashSet(StringComparer.Ordinal);
        Volatile.Write(ref _universe, next);
        IsLoaded = true;
        return new UniverseChange(
            next.Symbols.Where(s => !oldSet.Contains(s)).ToArray(),
            old.Symbols.Where(s => !newSet.Contains(s)).ToArray(),
            next.Symbols.Count,
            next.Retired.Count);
    }

    /// <inheritdoc />
    public bool IsEnabled => options.Enabled;

    /// <summary>
    /// What <c>GET /symbols</c> answers: the tradable symbols (every exchangeInfo status but BREAK), sorted ordinally.
    /// A symbol delisted or in BREAK is not in it, though its statistics stay readable through <see cref="Get"/>.
    /// </summary>
    public IReadOnlyList<string> Symbols => Universe.Symbols;

    /// <summary>
    /// The statistics of <paramref name="symbol"/> (case-insensitive): a listed symbol, or one listed before and since
    /// delisted or in BREAK (its statistics as they were left); null for a symbol never listed.
    /// </summary>
    public FeedSnapshot? Get(string symbol) => Universe.FindIgnoreCase(symbol)?.Snapshot();
}

/// <summary>
/// What a universe refresh changed: symbols listed now and not before (new, or back from BREAK), symbols listed before
/// and not now (delisted, or in BREAK), how many are listed, and how many are retired (not listed, statistics kept).
/// </summary>
public sealed record UniverseChange(IReadOnlyList<string> Added, IReadOnlyList<string> Removed, int Total, int Retired);
