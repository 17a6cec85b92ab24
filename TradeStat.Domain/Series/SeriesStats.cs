namespace TradeStat.Domain.Series;

/// <summary>Statistics over the last <see cref="Count"/> points of a symbol (population variance).</summary>
/// <param name="Count">Points in the window: min(10^k, points ever added).</param>
/// <param name="Min">Smallest value in the window, exactly as sent.</param>
/// <param name="Max">Largest value in the window, exactly as sent.</param>
/// <param name="Last">Most recent value, exactly as sent.</param>
/// <param name="Avg">Arithmetic mean of the window.</param>
/// <param name="Var">Population variance of the window (divided by <see cref="Count"/>), never negative.</param>
public readonly record struct SeriesStats(long Count, double Min, double Max, double Last, double Avg, double Var);
