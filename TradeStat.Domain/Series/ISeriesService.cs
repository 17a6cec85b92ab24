namespace TradeStat.Domain.Series;

/// <summary>Result of a successful batch append.</summary>
/// <param name="Symbol">The symbol appended to.</param>
/// <param name="Added">Values added by this batch.</param>
/// <param name="Count">Points ever added to the symbol.</param>
public readonly record struct BatchAdded(string Symbol, int Added, long Count);

/// <summary>Use cases of the series: append a batch, read window statistics.</summary>
public interface ISeriesService
{
    /// <summary>Appends a batch atomically.</summary>
    /// <exception cref="SymbolLimitReachedException">The symbol is new and no more symbols are allowed.</exception>
    BatchAdded AddBatch(string symbol, ReadOnlyMemory<double> values);

    /// <summary>Statistics over the last 10^k points of <paramref name="symbol"/>, k being <paramref name="level"/>.</summary>
    /// <exception cref="SymbolNotFoundException">The symbol has no data.</exception>
    SeriesStats GetStats(string symbol, WindowLevel level);

    /// <summary>Symbols held with their point counts, ordered by name (ordinal).</summary>
    IReadOnlyList<SymbolCount> Symbols();

    /// <summary>
    /// The min/max envelope of the last 10^k points of <paramref name="symbol"/> in min(<paramref name="buckets"/>, points)
    /// buckets (see <see cref="SeriesEnvelope"/>).
    /// </summary>
    /// <exception cref="SymbolNotFoundException">The symbol has no data.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="buckets"/> is not 1 to <see cref="SeriesLimits.MaxEnvelopeBuckets"/>.</exception>
    SeriesEnvelope GetEnvelope(string symbol, WindowLevel level, int buckets);
}
