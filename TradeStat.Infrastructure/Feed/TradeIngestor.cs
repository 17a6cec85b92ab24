using System.Text;
using Microsoft.Extensions.Logging;

namespace TradeStat.Infrastructure.Feed;

/// <summary>A trade held back because ids before it are missing.</summary>
internal readonly record struct PendingGap(FeedSymbol State, long FirstMissing, long TradeId, long Price);

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

    /// <summary>Handles one message; a gap is returned in <paramref name="gap"/> for the caller to back-fill.</summary>
    public IngestResult Process(ReadOnlySpan<byte> frame, out PendingGap gap, out long responseId)
    {
        gap = default;
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

        var outcome = state.Apply(trade.TradeId, trade.Price);
        switch (outcome.Result)
        {
            case TradeResult.Applied:
                metrics.AddTrade();
                return IngestResult.Applied;
            case TradeResult.Duplicate:
                metrics.AddDuplicate();
                return IngestResult.Duplicate;
            default:
                metrics.AddGap();
                gap = new PendingGap(state, outcome.GapFrom, trade.TradeId, trade.Price);
                return IngestResult.Gap;
        }
    }

    /// <summary>Counts a back-filled trade (goes through the same exactly-once check).</summary>
    public bool ApplyBackfilled(FeedSymbol state, long tradeId, long price)
    {
        var outcome = state.Apply(tradeId, price);
        if (outcome.Result == TradeResult.Applied)
        {
            metrics.AddTrade();
            metrics.AddBackfilled(1);
            return true;
        }

        return false;
    }

    /// <summary>Counts the held-back trade once the gap has been filled as far as possible; what is left is missed.</summary>
    public void CompleteGap(PendingGap gap)
    {
        var outcome = gap.State.ApplyAfterGap(gap.TradeId, gap.Price);
        if (outcome.Result == TradeResult.Duplicate)
        {
            metrics.AddDuplicate();
            return;
        }

        metrics.AddTrade();
        if (outcome.GapFromOrMissed > 0)
        {
            metrics.AddMissed(outcome.GapFromOrMissed);
            logger.LogWarning("{Symbol}: {Missed} trades before id {TradeId} could not be recovered", gap.State.Symbol, outcome.GapFromOrMissed, gap.TradeId);
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
