using Prometheus;
using TradeStat.Domain.Series;
using TradeStat.Infrastructure.Diagnostics;
using TradeStat.Infrastructure.Feed;

namespace TradeStat.Api.Diagnostics;

/// <summary>
/// The service's own metrics, exported at <c>/metrics</c> beside prometheus-net's HTTP, process and runtime (GC,
/// memory) metrics: points and batches ingested, requests rejected by reason, symbols, points held and added per
/// symbol, GC pauses, and the live feed's counters (trades, duplicates, malformed messages, gaps back-filled or
/// missed, connects, reconnects, rotations). Counters move once per request, never per point (lock-free increments, no allocation);
/// the gauges are computed only when a scrape asks for them.
/// </summary>
public sealed class ServiceMetrics : IDisposable
{
    private static readonly Counter PointsIngested = Metrics.CreateCounter(
        "tradestat_points_ingested_total", "Points appended by POST /add_batch/.");

    private static readonly Counter BatchesIngested = Metrics.CreateCounter(
        "tradestat_batches_ingested_total", "Batches appended by POST /add_batch/.");

    private static readonly Counter RejectedRequests = Metrics.CreateCounter(
        "tradestat_requests_rejected_total", "Requests answered with a problem (4xx/5xx), by reason.", "reason");

    private static readonly Gauge Symbols = Metrics.CreateGauge("tradestat_symbols", "Symbols that hold data.");

    private static readonly Gauge PointsHeld = Metrics.CreateGauge(
        "tradestat_points_held", "Points kept per symbol (the last 10^8 at most).", "symbol");

    private static readonly Gauge PointsAdded = Metrics.CreateGauge(
        "tradestat_points_added", "Points ever added per symbol.", "symbol");

    private static readonly Gauge GcPauses = Metrics.CreateGauge("tradestat_gc_pauses", "Runtime suspensions for GC since start.");

    private static readonly Gauge GcPauseMax = Metrics.CreateGauge(
        "tradestat_gc_pause_max_milliseconds", "Longest GC pause since start.");

    private static readonly Gauge Feed = Metrics.CreateGauge(
        "tradestat_feed_events", "Live feed counters since start (Binance:Enabled), by event.", "event");

    private static readonly Gauge Checkpoint = Metrics.CreateGauge(
        "tradestat_feed_checkpoint", "The feed's last checkpoint (Binance:DataDirectory): age_seconds, bytes, duration_seconds, failures.", "what");

    private volatile bool _disposed;

    public ServiceMetrics(ISymbolSeriesStore store, GcPauseMonitor? gcPauses = null, FeedMetrics? feed = null)
    {
        // The registry is process-wide and keeps its callbacks: a stopped host (tests start many) must not report.
        Metrics.DefaultRegistry.AddBeforeCollectCallback(() =>
        {
            if (_disposed)
            {
                return;
            }

            var symbols = store.Symbols();
            Symbols.Set(symbols.Count);
            foreach (var (symbol, count) in symbols)
            {
                PointsHeld.WithLabels(symbol).Set(Math.Min(count, SeriesLimits.MaxWindow));
                PointsAdded.WithLabels(symbol).Set(count);
            }

            if (gcPauses is not null)
            {
                GcPauses.Set(gcPauses.Pauses);
                GcPauseMax.Set(gcPauses.MaxPause.TotalMilliseconds);
            }

            if (feed is not null)
            {
                Feed.WithLabels("messages").Set(feed.Messages);
                Feed.WithLabels("trades").Set(feed.Trades);
                Feed.WithLabels("duplicates").Set(feed.Duplicates);
                Feed.WithLabels("malformed").Set(feed.Malformed);
                Feed.WithLabels("unknown_symbol").Set(feed.UnknownSymbol);
                Feed.WithLabels("gaps").Set(feed.Gaps);
                Feed.WithLabels("backfilled").Set(feed.Backfilled);
                Feed.WithLabels("missed").Set(feed.Missed);
                Feed.WithLabels("connects").Set(feed.Connects);
                Feed.WithLabels("open_connections").Set(feed.OpenConnections);
                Feed.WithLabels("reconnects").Set(feed.Reconnects);
                Feed.WithLabels("rotations").Set(feed.Rotations);
                Feed.WithLabels("server_shutdowns").Set(feed.ServerShutdowns);
                Feed.WithLabels("held").Set(feed.Held);
                Feed.WithLabels("deferred").Set(feed.Deferred);
                Feed.WithLabels("gaps_open").Set(feed.GapsOpen);
                Feed.WithLabels("unconfirmed_streams").Set(feed.UnconfirmedStreams);
                Feed.WithLabels("rest_weight").Set(feed.RestWeight);
                Feed.WithLabels("rest_429").Set(feed.Rest429);
                Feed.WithLabels("rest_418").Set(feed.Rest418);
                if (feed.CheckpointUnixMs > 0 || feed.CheckpointFailures > 0)
                {
                    var age = feed.CheckpointUnixMs > 0 ? (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - feed.CheckpointUnixMs) / 1000.0 : double.NaN;
                    Checkpoint.WithLabels("age_seconds").Set(age);
                    Checkpoint.WithLabels("bytes").Set(feed.CheckpointBytes);
                    Checkpoint.WithLabels("duration_seconds").Set(feed.CheckpointDuration.TotalSeconds);
                    Checkpoint.WithLabels("failures").Set(feed.CheckpointFailures);
                }
            }
        });
    }

    /// <summary>Stops this instance's gauges from being updated (the host is stopping).</summary>
    public void Dispose() => _disposed = true;

    /// <summary>A batch of <paramref name="points"/> was appended.</summary>
    public void Ingested(int points)
    {
        BatchesIngested.Inc();
        PointsIngested.Inc(points);
    }

    /// <summary>A request was answered with problem details of <paramref name="status"/>.</summary>
    public void Rejected(int status) => RejectedRequests.WithLabels(Reason(status)).Inc();

    /// <summary>A stable, readable label for each problem status.</summary>
    public static string Reason(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "invalid_request",
        StatusCodes.Status404NotFound => "not_found",
        StatusCodes.Status405MethodNotAllowed => "method_not_allowed",
        StatusCodes.Status408RequestTimeout => "timeout",
        StatusCodes.Status409Conflict => "symbol_limit",
        StatusCodes.Status413PayloadTooLarge => "payload_too_large",
        StatusCodes.Status415UnsupportedMediaType => "unsupported_media_type",
        StatusCodes.Status431RequestHeaderFieldsTooLarge => "headers_too_large",
        499 => "client_closed",
        >= 500 => "server_error",
        _ => "other",
    };
}
