using System.Diagnostics.Metrics;

namespace TradeStat.Infrastructure.Feed;

/// <summary>
/// Counters of the feed, kept with <see cref="Interlocked"/> and published as the <c>TradeStat.Feed</c> meter
/// (dotnet-counters, OpenTelemetry). Reading them costs nothing on the hot path.
/// </summary>
public sealed class FeedMetrics : IDisposable
{
    private readonly Meter _meter = new("TradeStat.Feed");
    private long _messages;
    private long _trades;
    private long _duplicates;
    private long _malformed;
    private long _unknownSymbol;
    private long _gaps;
    private long _backfilled;
    private long _missed;
    private long _connects;
    private long _open;
    private long _reconnects;
    private long _rotations;
    private long _serverShutdowns;
    private long _held;
    private long _deferred;
    private long _gapsOpen;

    /// <summary>Creates the counters and their meter.</summary>
    public FeedMetrics()
    {
        _meter.CreateObservableCounter("feed.messages", () => Messages, description: "WebSocket messages received (trades, replies and every other data message).");
        _meter.CreateObservableCounter("feed.trades", () => Trades, description: "Trades counted once.");
        _meter.CreateObservableCounter("feed.duplicates", () => Duplicates, description: "Trades seen again and dropped.");
        _meter.CreateObservableCounter("feed.malformed", () => Malformed, description: "Messages that could not be read.");
        _meter.CreateObservableCounter("feed.unknown_symbol", () => UnknownSymbol, description: "Trades of symbols outside the universe.");
        _meter.CreateObservableCounter("feed.gaps", () => Gaps, description: "Gaps seen in trade ids.");
        _meter.CreateObservableCounter("feed.backfilled", () => Backfilled, description: "Trades recovered from the exchange's trade history.");
        _meter.CreateObservableCounter("feed.missed", () => Missed, description: "Trades of gaps that could not be recovered.");
        _meter.CreateObservableCounter("feed.reconnects", () => Reconnects, description: "Connections lost and re-opened.");
        _meter.CreateObservableCounter("feed.rotations", () => Rotations, description: "Connections replaced before their lifetime ended.");
        _meter.CreateObservableCounter("feed.held", () => Held, description: "Live trades held behind a gap until it was filled.");
        _meter.CreateObservableCounter("feed.deferred", () => Deferred, description: "Live trades over a symbol's hold, fetched with its gap instead.");
        _meter.CreateObservableGauge("feed.gaps_open", () => GapsOpen, description: "Symbols whose gap is being back-filled now.");
        _meter.CreateObservableCounter("feed.rest_weight", () => RestWeight, description: "REST request weight charged by the governor.");
        _meter.CreateObservableCounter("feed.rest_429", () => Rest429, description: "REST answers 429 (weight limit reached).");
        _meter.CreateObservableCounter("feed.rest_418", () => Rest418, description: "REST answers 418 (IP banned).");
        _meter.CreateObservableCounter("feed.unconfirmed_streams", () => UnconfirmedStreams, description: "Streams a connection gave up subscribing to.");
    }

    /// <summary>WebSocket messages received whole, whatever they carry: trades, replies to requests, notices.</summary>
    public long Messages => Interlocked.Read(ref _messages);

    public long Trades => Interlocked.Read(ref _trades);

    public long Duplicates => Interlocked.Read(ref _duplicates);

    public long Malformed => Interlocked.Read(ref _malformed);

    public long UnknownSymbol => Interlocked.Read(ref _unknownSymbol);

    public long Gaps => Interlocked.Read(ref _gaps);

    public long Backfilled => Interlocked.Read(ref _backfilled);

    public long Missed => Interlocked.Read(ref _missed);

    public long Connects => Interlocked.Read(ref _connects);

    /// <summary>WebSocket connections open now.</summary>
    public long OpenConnections => Interlocked.Read(ref _open);

    public long Reconnects => Interlocked.Read(ref _reconnects);

    public long Rotations => Interlocked.Read(ref _rotations);

    public long ServerShutdowns => Interlocked.Read(ref _serverShutdowns);

    /// <summary>Live trades held behind a gap (counted later, once the gap is filled).</summary>
    public long Held => Interlocked.Read(ref _held);

    /// <summary>Live trades not held because their symbol's hold was full: fetched with the gap instead.</summary>
    public long Deferred => Interlocked.Read(ref _deferred);

    /// <summary>Symbols with a gap being back-filled now.</summary>
    public long GapsOpen => Interlocked.Read(ref _gapsOpen);

    internal void AddMessage() => Interlocked.Increment(ref _messages);

    internal void AddTrade() => Interlocked.Increment(ref _trades);

    internal void AddTrades(long n)
    {
        if (n > 0)
        {
            Interlocked.Add(ref _trades, n);
        }
    }

    internal void AddHeld() => Interlocked.Increment(ref _held);

    internal void AddDeferred() => Interlocked.Increment(ref _deferred);

    internal void AddGapClosed() => Interlocked.Decrement(ref _gapsOpen);

    internal void AddDuplicate() => Interlocked.Increment(ref _duplicates);

    internal long AddMalformed() => Interlocked.Increment(ref _malformed);

    internal void AddUnknownSymbol() => Interlocked.Increment(ref _unknownSymbol);

    internal void AddGap()
    {
        Interlocked.Increment(ref _gaps);
        Interlocked.Increment(ref _gapsOpen);
    }

    internal void AddBackfilled(long n) => Interlocked.Add(ref _backfilled, n);

    internal void AddMissed(long n) => Interlocked.Add(ref _missed, n);

    internal void AddConnect()
    {
        Interlocked.Increment(ref _connects);
        Interlocked.Increment(ref _open);
    }

    internal void AddClose() => Interlocked.Decrement(ref _open);

    internal void AddReconnect() => Interlocked.Increment(ref _reconnects);

    internal void AddRotation() => Interlocked.Increment(ref _rotations);

    internal void AddServerShutdown() => Interlocked.Increment(ref _serverShutdowns);

    private long _checkpointBytes;
    private long _checkpointTicks;
    private long _checkpointUnixMs;
    private long _checkpointFailures;

    /// <summary>Size of the last checkpoint written, in bytes.</summary>
    public long CheckpointBytes => Interlocked.Read(ref _checkpointBytes);

    /// <summary>How long the last checkpoint took to write.</summary>
    public TimeSpan CheckpointDuration => TimeSpan.FromTicks(Interlocked.Read(ref _checkpointTicks));

    /// <summary>When the last checkpoint was written (ms since the Unix epoch; 0 before the first).</summary>
    public long CheckpointUnixMs => Interlocked.Read(ref _checkpointUnixMs);

    /// <summary>Checkpoint writes that failed.</summary>
    public long CheckpointFailures => Interlocked.Read(ref _checkpointFailures);

    internal void CheckpointWritten(long bytes, TimeSpan duration, DateTimeOffset at)
    {
        Interlocked.Exchange(ref _checkpointBytes, bytes);
        Interlocked.Exchange(ref _checkpointTicks, duration.Ticks);
        Interlocked.Exchange(ref _checkpointUnixMs, at.ToUnixTimeMilliseconds());
    }

    internal void CheckpointFailed() => Interlocked.Increment(ref _checkpointFailures);

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private long _restWeight;
    private long _rest429;
    private long _rest418;

    /// <summary>REST request weight charged by the governor (every request counted when it is let through).</summary>
    public long RestWeight => Interlocked.Read(ref _restWeight);

    /// <summary>REST answers 429: the IP's weight limit was reached.</summary>
    public long Rest429 => Interlocked.Read(ref _rest429);

    /// <summary>REST answers 418: the IP is banned.</summary>
    public long Rest418 => Interlocked.Read(ref _rest418);

    internal void AddRestWeight(int weight) => Interlocked.Add(ref _restWeight, weight);

    internal void AddRest429() => Interlocked.Increment(ref _rest429);

    internal void AddRest418() => Interlocked.Increment(ref _rest418);
    /// <summary>
    /// Streams a connection gave up after subscribing to them again <c>Binance:MaxResubscribes</c> times (refused, or
    /// never listed by LIST_SUBSCRIPTIONS): left out of that connection, which carries on with its other streams.
    /// </summary>
    public long UnconfirmedStreams => Interlocked.Read(ref _unconfirmedStreams);

    internal void AddUnconfirmed(long n) => Interlocked.Add(ref _unconfirmedStreams, n);

    private long _unconfirmedStreams;
}
