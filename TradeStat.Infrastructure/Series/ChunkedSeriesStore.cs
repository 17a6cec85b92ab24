using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using TradeStat.Domain.Series;

namespace TradeStat.Infrastructure.Series;

/// <summary>
/// O(1) symbol lookup (one lock-free read); memory one <see cref="SymbolSeries"/> per symbol held.
/// <see cref="ISymbolSeriesStore"/> over one <see cref="SymbolSeries"/> per symbol (chunked arrays with
/// per-decade rolling aggregates). Symbols are found with one lock-free dictionary read; creating a symbol
/// takes a store-wide lock so the symbol limit holds under any concurrency.
/// </summary>
internal sealed class ChunkedSeriesStore : ISymbolSeriesStore
{
    private readonly ConcurrentDictionary<string, SymbolSeries> _series = new(StringComparer.Ordinal);
    private readonly Lock _createLock = new();
    private readonly int _maxSymbols;
    private readonly Func<SymbolSeries> _factory;

    public ChunkedSeriesStore(IOptions<SeriesOptions> options)
        : this(options.Value.MaxSymbols, static () => new SymbolSeries(SymbolSeries.DecadeWindows()))
    {
    }

    /// <summary>For tests: a custom symbol limit and series shape.</summary>
    internal ChunkedSeriesStore(int maxSymbols, Func<SymbolSeries> factory)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSymbols, 1);
        _maxSymbols = maxSymbols;
        _factory = factory;
    }

    public int SymbolCount => _series.Count;

    public bool TryAppend(string symbol, ReadOnlyMemory<double> values, out long count)
    {
        if (!_series.TryGetValue(symbol, out var series))
        {
            lock (_createLock)
            {
                if (!_series.TryGetValue(symbol, out series))
                {
                    if (_series.Count >= _maxSymbols)
                    {
                        count = 0;
                        return false;
                    }

                    series = _factory();
                    _series[symbol] = series;
                }
            }
        }

        count = series.Append(values.Span);
        return true;
    }

    public IReadOnlyList<SymbolCount> Symbols()
    {
        var result = new List<SymbolCount>(_series.Count);
        foreach (var (symbol, series) in _series)
        {
            result.Add(new SymbolCount(symbol, series.Count));
        }

        return result;
    }

    public bool TryGetStats(string symbol, WindowLevel level, out SeriesStats stats)
    {
        // The level needs no check: a WindowLevel is in range by construction.
        if (_series.TryGetValue(symbol, out var series))
        {
            return series.TryGetStats(level.Index, out stats);
        }

        stats = default;
        return false;
    }

    public SeriesEnvelope? GetEnvelope(string symbol, WindowLevel level, int buckets) =>
        _series.TryGetValue(symbol, out var series) ? series.GetEnvelope(level.Index, buckets) : null;
}
