namespace TradeStat.Domain.Series;

/// <summary>Base type of the errors the series domain reports to its callers; each carries the facts, not a wording for any one caller.</summary>
public abstract class SeriesException(string message) : Exception(message);
