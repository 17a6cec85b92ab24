namespace TradeStat.Domain.Series;

/// <summary>Default <see cref="ISeriesService"/>: guards the domain rules and delegates storage to <see cref="ISymbolSeriesStore"/>.</summary>
public sealed class SeriesService(ISymbolSeriesStore store, SeriesOptions options) : ISeriesService
{
    /// <inheritdoc />
    public BatchAdded AddBatch(string symbol, ReadOnlyMemory<double> values)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        if (!SymbolName.IsValid(symbol))
        {
            throw new ArgumentException($"Symbol must be {SymbolName.Rule}.", nameof(symbol));
        }

        if (values.IsEmpty || values.Length > SeriesLimits.MaxBatchSize)
        {
            throw new ArgumentException($"A batch holds 1 to {SeriesLimits.MaxBatchSize} values.", nameof(values));
        }

        foreach (var v in values.Span)
        {
            if (!double.IsFinite(v))
            {
                throw new ArgumentException("Values must be finite numbers.", nameof(values));
            }
        }

        if (!store.TryAppend(symbol, values, out var count))
        {
            throw new SymbolLimitReachedException(symbol, options.MaxSymbols);
        }

        return new BatchAdded(symbol, values.Length, count);
    }

    /// <inheritdoc />
    public SeriesStats GetStats(string symbol, WindowLevel level)
    {
        ArgumentNullException.ThrowIfNull(symbol);

        // No range check: a WindowLevel is valid by construction.
        return store.TryGetStats(symbol, level, out var stats) ? stats : throw new SymbolNotFoundException(symbol);
    }

    /// <inheritdoc />
    public IReadOnlyList<SymbolCount> Symbols()
    {
        var symbols = store.Symbols().ToArray();
        Array.Sort(symbols, static (a, b) => string.CompareOrdinal(a.Symbol, b.Symbol));
        return symbols;
    }

    /// <inheritdoc />
    public SeriesEnvelope GetEnvelope(string symbol, WindowLevel level, int buckets)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(buckets, SeriesLimits.MaxEnvelopeBuckets);
        return store.GetEnvelope(symbol, level, buckets) ?? throw new SymbolNotFoundException(symbol);
    }
}
