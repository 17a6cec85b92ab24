using TradeStat.Domain.Batch;

namespace TradeStat.Infrastructure.Batch;

/// <summary>
/// What a stretch of lines (one chunk, or a segment of consecutive chunks) produced: the counters the ordered merge
/// needs, and the aggregation its trades went into.
/// </summary>
/// <remarks>
/// Line numbers here are local to the stretch (1-based); the merge adds the lines of the stretches before. The chunks
/// of one segment share the segment's aggregation, so each chunk's counters are appended to the segment's
/// (<see cref="Append"/>) while its trades are already where they belong.
/// </remarks>
internal sealed class CsvChunk<TMetrics>(TradeAggregation<TMetrics>? trades = null)
    where TMetrics : struct, ITradeMetric<TMetrics>
{
    /// <summary>Where the parser puts the trades; not emptied by <see cref="Reset"/> (it may be a segment's).</summary>
    public TradeAggregation<TMetrics> Trades = trades ?? new();
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

    /// <summary>
    /// Zeroes the counters (not <see cref="Trades"/>); <paramref name="previousTimestamp"/> is the timestamp its first
    /// trade must reach.
    /// </summary>
    public void Reset(long previousTimestamp = 0)
    {
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

    /// <summary>
    /// Adds the counters of <paramref name="later"/>, the stretch right after this one, parsed from this one's
    /// <see cref="LastTimestamp"/> on, into <see cref="Trades"/>: the two then read as one stretch.
    /// </summary>
    public void Append(CsvChunk<TMetrics> later)
    {
        if (later.FirstInvalidReason is not null && FirstInvalidReason is null)
        {
            FirstInvalidLine = Lines + later.FirstInvalidLine;
            FirstInvalidReason = later.FirstInvalidReason;
        }

        if (later.Accepted > 0)
        {
            if (Accepted == 0)
            {
                FirstTimestamp = later.FirstTimestamp;
                FirstTimestampLine = Lines + later.FirstTimestampLine;
            }

            LastTimestamp = later.LastTimestamp;
            Accepted += later.Accepted;
        }

        Lines += later.Lines;
        InvalidLines += later.InvalidLines;
        Stopped |= later.Stopped;
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
