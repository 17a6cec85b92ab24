namespace TradeStat.Domain.Series;

/// <summary>Keeps the recent values of each symbol and answers window statistics in O(1).</summary>
/// <remarks>
/// Implementations must be safe to call from many threads: calls for different symbols may run in
/// parallel, and calls for the same symbol must never corrupt state (a batch is applied atomically).
/// </remarks>
public interface ISymbolSeriesStore
{
    /// <summary>Number of symbols that hold data.</summary>
    int SymbolCount { get; }

    /// <summary>
    /// Appends <paramref name="values"/> (oldest first) to <paramref name="symbol"/>, creating the symbol
    /// if it is new. Returns false, changing nothing, when the symbol is new and the store is full.
    /// </summary>
    /// <param name="symbol">A valid symbol name (see <see cref="SymbolName"/>).</param>
    /// <param name="values">One or more finite values.</param>
    /// <param name="count">Points ever added to the symbol, this batch included.</param>
    bool TryAppend(string symbol, ReadOnlyMemory<double> values, out long count);

    /// <summary>Every symbol with the points ever added to it (for metrics and operations; O(symbols)).</summary>
    IReadOnlyList<SymbolCount> Symbols();

    /// <summary>Statistics over the last 10^k points of <paramref name="level"/>; false when the symbol holds no data.</summary>
    bool TryGetStats(string symbol, WindowLevel level, out SeriesStats stats);

    /// <summary>
    /// The min/max envelope of the last 10^k points of <paramref name="level"/> in min(<paramref name="buckets"/>, points)
    /// buckets, from the summaries the store keeps: the cost grows with the buckets, not with the points; null when the
    /// symbol holds no data.
    /// </summary>
    /// <param name="symbol">The symbol.</param>
    /// <param name="level">The window.</param>
    /// <param name="buckets">1 to <see cref="SeriesLimits.MaxEnvelopeBuckets"/>.</param>
    SeriesEnvelope? GetEnvelope(string symbol, WindowLevel level, int buckets);
}

/// <summary>A symbol and the points ever added to it.</summary>
/// <param name="Symbol">The symbol.</param>
/// <param name="Count">Points ever added.</param>
public readonly record struct SymbolCount(string Symbol, long Count);
