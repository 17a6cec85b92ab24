using System.Text;
using Microsoft.Extensions.Logging;

namespace TradeStat.Infrastructure.Feed;

/// <summary>
/// The one pipeline every trade goes through, live or replayed: parse → perfect-hash lookup → exactly-once count and
/// median update. Allocation-free per trade; thread-safe (connections call it concurrently).
/// </summary>
internal sealed class TradeIngestor(FeedBook book, FeedMetrics metrics, ILogger<TradeIngestor> logger, BinanceOptions options, TimeProvider time)
{
    private long _lastMalformedLog = long.MinValue;
    private long _malformedAtLastLog;

    /// <summary>The metrics this pipeline counts into.</summary>
    public FeedMetrics Metrics => metrics;

    /// <summary>
    /// Handles one message. When a trade opens a gap in its symbol's ids, the symbol is returned in
    /// <paramref name="gapped"/> for the caller to schedule its back-fill (live trades after it are held meanwhile).
    /// </summary>
    public IngestResult Process(ReadOnlySpan<byte> frame, out FeedSymbol? gapped, out long responseId)
    {
        gapped = null;
        Span<byte> symbol = stackalloc byte[TradeMessageParser.MaxSymbolBytes];
        var kind = TradeMessageParser.Parse(frame, symbol, out var trade);
        responseId = trade.ResponseId;
        switch (kind)
        {
            case FrameKind.Trade:
                break;
            case FrameKind.Malformed:
                ReportMalformed(frame);
                return IngestResult.Malformed;
            case FrameKind.Response:
                return IngestResult.Response;
            case FrameKind.ServerShutdown:
                metrics.AddServerShutdown();
                return IngestResult.ServerShutdown;
            default:
                return IngestResult.Other;
        }

        var state = book.Universe.Find(symbol[..trade.SymbolLength]);
        if (state is null)
        {
            metrics.AddUnknownSymbol();
            return IngestResult.UnknownSymbol;
        }

        switch (state.Apply(trade.TradeId, trade.Price, trade.TradeTime).Result)
        {
            case TradeResult.Applied:
                metrics.AddTrade();
                return IngestResult.Applied;
            case TradeResult.Duplicate:
                metrics.AddDuplicate();
                return IngestResult.Duplicate;
            case TradeResult.Held:
                metrics.AddHeld();
                return IngestResult.Held;
            case TradeResult.Deferred:
                metrics.AddDeferred();
                return IngestResult.Held;
            default:
                metrics.AddGap();
                metrics.AddHeld();
                gapped = state;
                return IngestResult.Gap;
        }
    }

    /// <summary>Counts a back-filled trade when it is the next one of its symbol.</summary>
    public bool ApplyBackfilled(FeedSymbol state, long tradeId, long price, long time)
    {
        if (!state.ApplyFilled(tradeId, price, time))
        {
            return false;
        }

        metrics.AddTrade();
        metrics.AddBackfilled(1);
        return true;
    }

    /// <summary>Counts the held trades that have become next; returns what is still missing, or false once the gap is closed.</summary>
    public bool NextGap(FeedSymbol state, out GapRange gap)
    {
        var more = state.NextGap(out gap, out var counted, out var closed);
        metrics.AddTrades(counted);
        if (closed)
        {
            metrics.AddGapClosed();
        }

        return more;
    }

    /// <summary>Counts the trades still missing before <paramref name="gap"/>'s end as missed for good, and says why.</summary>
    public void GiveUp(FeedSymbol state, GapRange gap, string reason)
    {
        var missed = state.GiveUp(gap.ToExclusive);
        if (missed > 0)
        {
            metrics.AddMissed(missed);
            logger.LogWarning("{Symbol}: {Missed} trades before id {TradeId} missed for good ({Reason})", state.Symbol, missed, gap.ToExclusive, reason);
        }
    }

    /// <summary>Gives up every gap of a symbol at once (a recording cannot be back-filled).</summary>
    public void GiveUpAll(FeedSymbol state, string reason)
    {
        while (NextGap(state, out var gap))
        {
            GiveUp(state, gap, reason);
        }
    }

    /// <summary>Counts a message discarded for being over <c>Binance:MaxMessageBytes</c> (as malformed; logged rate-limited).</summary>
    public void RejectOversized(long length, int max) =>
        ReportMalformed(System.Text.Encoding.ASCII.GetBytes($"<message of {length} bytes discarded: over Binance:MaxMessageBytes = {max}>"));

    private void ReportMalformed(ReadOnlySpan<byte> frame)
    {
        var count = metrics.AddMalformed();
        var now = time.GetTimestamp();
        var last = Interlocked.Read(ref _lastMalformedLog);
        if (last != long.MinValue && time.GetElapsedTime(last, now) < options.MalformedLogInterval)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _lastMalformedLog, now, last) != last)
        {
            return;
        }

        var since = count - Interlocked.Exchange(ref _malformedAtLastLog, count);
        var preview = Encoding.UTF8.GetString(frame[..Math.Min(frame.Length, 200)]);
        logger.LogWarning("Malformed feed message ({Count} since last report, {Total} in all): {Preview}", since, count, preview);
    }
}
