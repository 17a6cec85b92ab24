namespace TradeStat.Domain.Batch;

/// <summary>
/// One per-symbol statistic as a mergeable partial: it sees the trades of one symbol in time order, can absorb the
/// partial of the trades that came right after its own (a later chunk of the input) and writes its output columns.
/// </summary>
/// <remarks>
/// Metrics are structs composed with <see cref="Metrics{TFirst, TRest}"/>, so the analyzer is specialised for the
/// whole set and every call inlines: adding a metric costs its own work, not a virtual call per trade.
/// A state is <c>default</c> until <see cref="Start"/>; <see cref="Merge"/> is only called on two started states.
/// </remarks>
public interface ITradeMetric<TSelf>
    where TSelf : struct, ITradeMetric<TSelf>
{
    /// <summary>Appends the names of the columns this metric writes, in order.</summary>
    static abstract void AddColumnNames(ICollection<string> names);

    /// <summary>Takes the first trade of the symbol (of this partial).</summary>
    void Start(in Trade trade);

    /// <summary>Takes the next trade of the symbol; its timestamp is not smaller than the previous one's.</summary>
    void Observe(in Trade trade);

    /// <summary>Absorbs <paramref name="later"/>, the partial of the trades that follow this partial's trades.</summary>
    void Merge(in TSelf later);

    /// <summary>Writes this metric's columns of the symbol's output row.</summary>
    void WriteColumns(CsvRowWriter row);
}
