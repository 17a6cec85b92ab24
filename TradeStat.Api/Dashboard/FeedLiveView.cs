using Microsoft.Extensions.Options;
using TradeStat.Domain.Feed;
using TradeStat.Infrastructure.Feed;

namespace TradeStat.Api.Dashboard;

/// <summary>
/// The feed view: one row per symbol the feed follows, as <c>GET /{symbol}</c> answers it (prices as strings), and the
/// feed's health beside the table: what <see cref="FeedMetrics"/> already counts, and whether the feed runs at all.
/// </summary>
public sealed class FeedLiveView(
    IFeedService feed,
    FeedDescription description,
    IOptions<DashboardOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    FeedMetrics? metrics = null)
    : LiveView(options, time, lifetime)
{
    private readonly Dictionary<string, FeedSnapshot> _known = new(StringComparer.Ordinal);
    private readonly Rate _messages = new();
    private readonly Rate _trades = new();

    protected override void Poll()
    {
        if (feed.IsEnabled)
        {
            foreach (var symbol in feed.Symbols)
            {
                if (feed.Get(symbol) is not { } snapshot)
                {
                    continue;
                }

                if (_known.TryGetValue(symbol, out var known) && known == snapshot && HasRow(symbol))
                {
                    KeepRow(symbol);
                    continue;
                }

                _known[symbol] = snapshot;
                SetRow(symbol, Json(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("symbol"u8, snapshot.Symbol);
                    writer.WriteNumber("count"u8, snapshot.Count);
                    writer.WriteString("median"u8, ApiText.Price(snapshot.MedianHalfUnits));
                    writer.WriteString("last"u8, ApiText.Price(snapshot.LastHalfUnits));
                    writer.WriteBoolean("exact"u8, snapshot.Exact);
                    writer.WriteNumber("missed"u8, snapshot.Missed);
                    writer.WriteBoolean("filling"u8, snapshot.Filling);
                    writer.WriteEndObject();
                }));
            }

            if (_known.Count > 2 * feed.Symbols.Count)
            {
                _known.Clear(); // symbols that left the universe: their rows are removed, their last values forgotten
            }
        }

        SetMeta(Json(WriteHealth));
    }

    private void WriteHealth(System.Text.Json.Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteBoolean("enabled"u8, feed.IsEnabled);
        writer.WriteString("mode"u8, !feed.IsEnabled ? "off" : description.Replay ? "replay" : "live");
        if (feed.IsEnabled && metrics is not null)
        {
            var symbols = feed.Symbols.Count;
            var connections = metrics.OpenConnections;
            writer.WriteNumber("symbols"u8, symbols);
            writer.WriteNumber("connections"u8, connections);
            writer.WriteNumber("streamsPerConnection"u8, connections > 0 ? (symbols + connections - 1) / connections : 0);
            writer.WriteNumber("maxStreamsPerConnection"u8, description.MaxStreamsPerConnection);
            var now = Time.GetTimestamp();
            writer.WriteNumber("messagesPerSecond"u8, Math.Round(_messages.PerSecond(metrics.Messages, now, Time), 1));
            writer.WriteNumber("messages"u8, metrics.Messages);
            writer.WriteNumber("tradesPerSecond"u8, Math.Round(_trades.PerSecond(metrics.Trades, now, Time), 1));
            writer.WriteNumber("trades"u8, metrics.Trades);
            writer.WriteNumber("gaps"u8, metrics.Gaps);
            writer.WriteNumber("gapsOpen"u8, metrics.GapsOpen);
            writer.WriteNumber("backfilled"u8, metrics.Backfilled);
            writer.WriteNumber("missed"u8, metrics.Missed);
            writer.WriteNumber("held"u8, metrics.Held);
            writer.WriteNumber("deferred"u8, metrics.Deferred);
            writer.WriteNumber("reconnects"u8, metrics.Reconnects);
            writer.WriteNumber("restWeight"u8, metrics.RestWeight);
            writer.WriteNumber("rest429"u8, metrics.Rest429);
            writer.WriteNumber("rest418"u8, metrics.Rest418);
            writer.WriteBoolean("checkpoints"u8, description.Checkpoints);
            if (metrics.CheckpointUnixMs > 0)
            {
                // The time, not the age: the age changes every poll, the time only when a checkpoint is written.
                writer.WriteNumber("checkpointUnixMs"u8, metrics.CheckpointUnixMs);
            }

            writer.WriteNumber("checkpointFailures"u8, metrics.CheckpointFailures);
        }

        writer.WriteEndObject();
    }

    /// <summary>A counter's growth per second since the previous poll.</summary>
    private sealed class Rate
    {
        private long _count = -1;
        private long _at;
        private double _perSecond;

        public double PerSecond(long count, long now, TimeProvider time)
        {
            if (_count >= 0)
            {
                var seconds = time.GetElapsedTime(_at, now).TotalSeconds;
                if (seconds > 0)
                {
                    _perSecond = (count - _count) / seconds;
                }
            }

            (_count, _at) = (count, now);
            return _perSecond;
        }
    }
}
