using TradeStat.Domain.Batch;

namespace TradeStat.Infrastructure.Batch;

/// <summary>An invalid input line: its 1-based number in the whole input and why it was rejected.</summary>
public sealed record InputError(long Line, string Reason)
{
    /// <inheritdoc />
    public override string ToString() => $"line {Line}: {Reason}";
}

/// <summary>The outcome of reading a trade CSV: the merged per-symbol metrics and what was read.</summary>
public sealed class CsvAnalysis<TMetrics>
    where TMetrics : struct, ITradeMetric<TMetrics>
{
    internal CsvAnalysis(SymbolTable symbols, TradeAggregation<TMetrics> trades)
    {
        Symbols = symbols;
        Trades = trades;
    }

    /// <summary>The symbols' names by id.</summary>
    public SymbolTable Symbols { get; }

    /// <summary>Metrics per symbol (complete only when <see cref="Error"/> is null).</summary>
    public TradeAggregation<TMetrics> Trades { get; }

    /// <summary>Input bytes read.</summary>
    public long Bytes { get; internal set; }

    /// <summary>Lines read (valid and invalid), up to the error when there is one.</summary>
    public long Lines { get; internal set; }

    /// <summary>Trades taken into the metrics.</summary>
    public long TradeCount { get; internal set; }

    /// <summary>Invalid lines skipped (with <see cref="CsvReadOptions.SkipInvalid"/>).</summary>
    public long InvalidLines { get; internal set; }

    /// <summary>The first invalid line skipped, if any.</summary>
    public InputError? FirstInvalid { get; internal set; }

    /// <summary>The invalid line that stopped the run (without <see cref="CsvReadOptions.SkipInvalid"/>).</summary>
    public InputError? Error { get; internal set; }

    /// <summary>Writes the output rows (sorted by symbol) into <paramref name="output"/>.</summary>
    public void WriteCsv(System.Buffers.IBufferWriter<byte> output) => Trades.WriteCsv(Symbols, output);
}
