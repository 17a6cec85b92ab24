namespace TradeStat.Infrastructure.Feed;

/// <summary>
/// One symbol's durable state: what a checkpoint holds for it, and all <see cref="FeedSymbol.Restore"/> needs. Live
/// trades held behind a gap are not part of it: after a restart the back-fill fetches them from the exchange again.
/// </summary>
/// <param name="Symbol">The symbol as listed.</param>
/// <param name="Count">Trades counted (the sum of <paramref name="Counts"/>).</param>
/// <param name="LastPrice">Price of the last trade counted, in units; 0 before the first.</param>
/// <param name="LastTradeId">Id of the last trade counted or given up; −1 before the first.</param>
/// <param name="LastTime">Time of the last counted trade that carried one (exchange milliseconds); 0 when none did.</param>
/// <param name="Missed">Trades given up for good.</param>
/// <param name="SignificantDigits">Digits the median rounds prices to; 19 while exact.</param>
/// <param name="MaxRelativeError">The median's error bound; 0 while exact.</param>
/// <param name="Prices">The median's price levels, strictly ascending.</param>
/// <param name="Counts">How many prices each level holds (each ≥ 1), in the order of <paramref name="Prices"/>.</param>
/// <remarks>A record over arrays: equality compares the arrays by reference, so compare their contents instead.</remarks>
internal sealed record SymbolState(
    string Symbol,
    long Count,
    long LastPrice,
    long LastTradeId,
    long LastTime,
    long Missed,
    int SignificantDigits,
    double MaxRelativeError,
    long[] Prices,
    long[] Counts)
{
    /// <summary>Why this state cannot be a symbol's (the first problem found), or null when it can. O(levels).</summary>
    internal string? FindProblem()
    {
        var nameProblem = FeedCheckpoint.FindSymbolNameProblem(Symbol);
        if (nameProblem is not null)
        {
            return nameProblem;
        }

        if (Count < 0)
        {
            return $"negative count {Count}";
        }

        if (LastPrice < 0)
        {
            return $"negative last price {LastPrice}";
        }

        if (LastTradeId < -1)
        {
            return $"last trade id {LastTradeId} below −1";
        }

        if (LastTime < 0)
        {
            return $"negative last time {LastTime}";
        }

        if (Missed < 0)
        {
            return $"negative missed count {Missed}";
        }

        if (Prices is null || Counts is null)
        {
            return "no levels";
        }

        var problem = StreamingMedian.FindLevelsProblem(Prices, Counts, SignificantDigits, MaxRelativeError, out var total);
        if (problem is not null)
        {
            return problem;
        }

        return total == Count ? null : $"the levels hold {total} prices but the count is {Count}";
    }
}
