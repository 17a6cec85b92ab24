using TradeStat.Domain.Batch;

namespace TradeStat.Infrastructure.Batch;

/// <summary>What one chunk of lines produced: its metrics and the counters the ordered merge needs.</summary>
/// <remarks>Line numbers here are local to the chunk (1-based); the merge adds the lines of the chunks before.</remarks>
internal sealed class CsvChunk<TMetrics>
    where TMetrics : struct, ITradeMetric<TMetrics>
{
    public readonly TradeAggregation<TMetrics> Trades = new();
    public long Lines;
    public long Accepted;
    public long FirstTimestamp;
    public long FirstTimestampLine;
    public long LastTimestamp;
    public long InvalidLines;
    public long FirstInvalidLine;
    public string? FirstInvalidReason;
    public bool Stopped;

    // The parser's state for the invalid-line path (kept out of its registers): the mode, and where the chunk's
    // first trade starts (after the leading invalid lines) and its line.
    public bool SkipInvalid;
    public nint FirstTradeStart;
    public long FirstTradeLine;

    /// <summary>Empties the chunk; <paramref name="previousTimestamp"/> is the timestamp its first trade must reach.</summary>
    public void Reset(long previousTimestamp = 0)
    {
        Trades.Clear();
        Lines = 0;
        Accepted = 0;
        FirstTimestamp = 0;
        FirstTimestampLine = 0;
        LastTimestamp = previousTimestamp;
        InvalidLines = 0;
        FirstInvalidLine = 0;
        FirstInvalidReason = null;
        Stopped = false;
    }

    /// <summary>Records the invalid line <see cref="Lines"/> (already counted); false when the chunk must stop.</summary>
    public bool Reject(string? reason, bool skipInvalid)
    {
        if (FirstInvalidReason is null)
        {
            FirstInvalidLine = Lines;
            FirstInvalidReason = reason ?? "malformed line";
        }

        if (!skipInvalid)
        {
            Stopped = true;
            return false;
        }

        InvalidLines++;
        return true;
    }
}
