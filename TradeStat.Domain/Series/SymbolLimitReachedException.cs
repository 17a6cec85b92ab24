namespace TradeStat.Domain.Series;

/// <summary>A new symbol was refused because the configured number of symbols is already in use.</summary>
public sealed class SymbolLimitReachedException(string symbol, int maxSymbols)
    : SeriesException($"Symbol '{symbol}' is new, but the store already holds its limit of {maxSymbols} symbols.")
{
    /// <summary>The refused symbol.</summary>
    public string Symbol { get; } = symbol;

    /// <summary>The configured limit.</summary>
    public int MaxSymbols { get; } = maxSymbols;
}
