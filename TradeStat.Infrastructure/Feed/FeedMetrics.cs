using System.Diagnostics.Metrics;

namespace TradeStat.Infrastructure.Feed;

/// <summary>
/// Counters of the feed, kept with <see cref="Interlocked"/> and published as the <c>TradeStat.Feed</c> meter
/// (dotnet-counters, OpenTelemetry). Reading them costs nothing on the hot path.
/// </summary>
public sealed class FeedMetrics : IDisposable
{
    private readonly Meter _meter = new("TradeStat.Feed");
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

    /// <summary>Creates the counters and their meter.</summary>
    public FeedMetrics()
    {
        _meter.CreateObservableCounter("feed.trades", () => Trades, description: "Trades counted once.");
        _meter.CreateObservableCounter("feed.duplicates", () => Duplicates, description: "Trades seen again and dropped.");
        _meter.CreateObservableCounter("feed.malformed", () => Malformed, description: "Messages that could not be read.");
        _meter.CreateObservableCounter("feed.unknown_symbol", () => UnknownSymbol, description: "Trades of symbols outside the universe.");
        _meter.CreateObservableCounter("feed.gaps", () => Gaps, description: "Gaps seen in trade ids.");
        _meter.CreateObservableCounter("feed.backfilled", () => Backfilled, description: "Trades recovered from historicalTrades.");
        _meter.CreateObservableCounter("feed.missed", () => Missed, description: "Trades of gaps that could not be recovered.");
        _meter.CreateObservableCounter("feed.reconnects", () => Reconnects, description: "Connections lost and re-opened.");
        _meter.CreateObservableCounter("feed.rotations", () => Rotations, description: "Connections replaced before their lifetime ended.");
        _meter.CreateObservableCounter("feed.unconfirmed_streams", () => UnconfirmedStreams, description: "Streams a connection gave up subscribing to.");
    }

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

    internal void AddTrade() => Interlocked.Increment(ref _trades);

    internal void AddDuplicate() => Interlocked.Increment(ref _duplicates);

    internal long AddMalformed() => Interlocked.Increment(ref _malformed);

    internal void AddUnknownSymbol() => Interlocked.Increment(ref _unknownSymbol);

    internal void AddGap() => Interlocked.Increment(ref _gaps);

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

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    /// <summary>
    /// Streams a connection gave up after subscribing to them again <c>Binance:MaxResubscribes</c> times (refused, or
    /// never listed by LIST_SUBSCRIPTIONS): left out of that connection, which carries on with its other streams.
    /// </summary>
    public long UnconfirmedStreams => Interlocked.Read(ref _unconfirmedStreams);

    internal void AddUnconfirmed(long n) => Interlocked.Add(ref _unconfirmedStreams, n);

    private long _unconfirmedStreams;
}
