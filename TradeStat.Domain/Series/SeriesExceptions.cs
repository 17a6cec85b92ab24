namespace TradeStat.Domain.Series;

/// <summary>Base type of the errors the series domain reports to its callers.</summary>
public abstract class SeriesException(string message) : Exception(message);

/// <summary>The symbol has never received data.</summary>
public sealed class SymbolNotFoundException(string symbol)
    : SeriesException($"Symbol '{symbol}' has no data. Add values with POST /add_batch/ first.")
{
    /// <summary>The symbol asked for.</summary>
    public string Symbol { get; } = symbol;
}

/// <summary>A new symbol was refused because the configured number of symbols is already in use.</summary>
public sealed class SymbolLimitReachedException(string symbol, int maxSymbols)
    : SeriesException($"Symbol '{symbol}' is new, but the service already holds its limit of {maxSymbols} symbols.")
{
    /// <summary>The refused symbol.</summary>
    public string Symbol { get; } = symbol;

    /// <summary>The configured limit.</summary>
    public int MaxSymbols { get; } = maxSymbols;
}
