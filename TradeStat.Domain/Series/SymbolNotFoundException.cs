namespace TradeStat.Domain.Series;

/// <summary>The symbol has never received data.</summary>
public sealed class SymbolNotFoundException(string symbol)
    : SeriesException($"Symbol '{symbol}' has no data.")
{
    /// <summary>The symbol asked for.</summary>
    public string Symbol { get; } = symbol;
}
