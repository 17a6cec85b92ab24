using System.ComponentModel.DataAnnotations;

namespace TradeStat.Infrastructure.Feed;

/// <summary>Settings of the live Binance feed (section <c>Binance</c>); every default is Binance's documented limit or a safe margin under it.</summary>
public sealed class BinanceOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Binance";

    /// <summary>How long a pooled HTTP connection of the REST clients is used before a new one (and a new DNS lookup) replaces it.</summary>
    public static readonly TimeSpan HttpConnectionLifetime = TimeSpan.FromMinutes(5);

    // Range failures name the key; the upper bounds of durations keep them within what timers accept.
    private const string RangeMessage = SectionName + ":{0} must be between {1} and {2}.";

    /// <summary>Runs the feed (live, or replay when <see cref="ReplayFile"/> is set). Off by default.</summary>
    public bool Enabled { get; set; }

    /// <summary>REST base for exchangeInfo and the trade history.</summary>
    public Uri RestBaseUrl { get; set; } = new("https://api.binance.com");

    /// <summary>WebSocket base; combined streams are at <c>/stream?streams=...</c>.</summary>
    public Uri StreamBaseUrl { get; set; } = new("wss://stream.binance.com:9443");

    /// <summary>
    /// How often exchangeInfo is fetched again to follow listings, delistings and symbols entering or leaving BREAK; often
    /// enough that a new listing is subscribed within minutes, and cheap (one request of weight 20 each time).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = RangeMessage)]
    public TimeSpan SymbolRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Streams per WebSocket connection (Binance allows 1024).</summary>
    [Range(1, 1024, ErrorMessage = RangeMessage)]
    public int MaxStreamsPerConnection { get; set; } = 1024;

    /// <summary>Streams put in the connection URL; the rest are added with SUBSCRIBE.</summary>
    [Range(1, 1024, ErrorMessage = RangeMessage)]
    public int MaxUrlStreams { get; set; } = 300;

    /// <summary>Longest URL sent (users report failures past ~8,000 characters).</summary>
    [Range(100, 8000, ErrorMessage = RangeMessage)]
    public int MaxUrlLength { get; set; } = 8000;

    /// <summary>Streams per SUBSCRIBE/UNSUBSCRIBE message (messages over ~4 KB are reported to be ignored).</summary>
    [Range(1, 250, ErrorMessage = RangeMessage)]
    public int SubscribeBatchSize { get; set; } = 200;

    /// <summary>
    /// Minimum time between two requests sent on a connection (Binance allows 5 incoming messages per second, pongs
    /// included); <see cref="MaxRequestsPerSecond"/> also bounds how many fall in any one second.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.250", "00:01:00",
        ErrorMessage = SectionName + ":{0} must be between {1} and {2} (Binance allows 5 incoming messages per second per connection, pongs included).")]
    public TimeSpan SendInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long to wait for the answer to a SUBSCRIBE or LIST_SUBSCRIPTIONS, and for a REST answer once the REST governor
    /// has let the request go (reading exchangeInfo's body, a few MB, may take six times as long).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00", ErrorMessage = RangeMessage)]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A connection is replaced after this long (Binance closes them at 24 h).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", MaximumIsExclusive = true,
        ErrorMessage = SectionName + ":{0} must be at least {1} and under {2} (Binance closes connections at 24 h).")]
    public TimeSpan ConnectionLifetime { get; set; } = TimeSpan.FromHours(23);

    /// <summary>How long the old and the new connection both run during a rotation.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = RangeMessage)]
    public TimeSpan RotationOverlap { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First reconnect delay; doubled per failed attempt, with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = RangeMessage)]
    public TimeSpan ReconnectBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest reconnect delay.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = RangeMessage)]
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Connection attempts allowed per 5 minutes (Binance: 300 per IP).</summary>
    [Range(1, 300, ErrorMessage = RangeMessage)]
    public int MaxConnectAttemptsPer5Minutes { get; set; } = 250;

    /// <summary>Rows asked per trade-history request (aggTrades, trades, historicalTrades: at most 1000).</summary>
    [Range(1, 1000, ErrorMessage = RangeMessage)]
    public int BackfillPageSize { get; set; } = 1000;

    /// <summary>Largest gap (in trades) that is back-filled; larger gaps are counted and logged as missed.</summary>
    [Range(0, 10_000_000, ErrorMessage = RangeMessage)]
    public int MaxBackfillPerGap { get; set; } = 100_000;

    /// <summary>Gaps back-filled at the same time (each request still goes through the REST weight budget).</summary>
    [Range(1, 64, ErrorMessage = RangeMessage)]
    public int BackfillConcurrency { get; set; } = 4;

    /// <summary>
    /// Wait before the first request for a new gap: the exchange's trade history (aggTrades, historicalTrades) is served
    /// from a database that lags the live stream, so asking at once mostly spends weight on an answer that is not there yet.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = RangeMessage)]
    public TimeSpan BackfillDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest wait between two attempts at a gap the history does not serve yet (the wait doubles up to this).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00", ErrorMessage = RangeMessage)]
    public TimeSpan BackfillRetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A gap that makes no progress for this long is given up: its trades are counted as missed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00", ErrorMessage = RangeMessage)]
    public TimeSpan BackfillGiveUpAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Attempts at a gap answered short by the lagging history before the recent-trades list (served from memory, weight
    /// 25 instead of 4) is asked for the part at the live edge.
    /// </summary>
    [Range(0, 100, ErrorMessage = RangeMessage)]
    public int LaggingAttemptsBeforeRecentTrades { get; set; } = 2;

    /// <summary>Live trades held per symbol while its gap is filled; later ones are fetched with the gap instead.</summary>
    [Range(1, 1_000_000, ErrorMessage = RangeMessage)]
    public int MaxHeldTradesPerSymbol { get; set; } = FeedSymbol.DefaultMaxHeld;

    /// <summary>
    /// Largest WebSocket message read (a trade is ~250 bytes, LIST_SUBSCRIPTIONS of 1024 streams ~25 KB); a longer one is
    /// read through, discarded and counted as malformed, so no frame can make the receive buffer grow without bound.
    /// </summary>
    [Range(4096, 64 * 1024 * 1024, ErrorMessage = RangeMessage)]
    public int MaxMessageBytes { get; set; } = 1024 * 1024;

    /// <summary>At most one log line per this interval for malformed messages (the count is always kept).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ErrorMessage = RangeMessage)]
    public TimeSpan MalformedLogInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Distinct prices kept exactly per symbol before neighbouring levels merge.</summary>
    [Range(16, 100_000_000, ErrorMessage = RangeMessage)]
    public int MaxDistinctPricesPerSymbol { get; set; } = DefaultMaxDistinctPricesPerSymbol;

    /// <summary>The default of <see cref="MaxDistinctPricesPerSymbol"/>.</summary>
    public const int DefaultMaxDistinctPricesPerSymbol = 1_000_000;

    /// <summary>
    /// Where the live feed keeps its checkpoint (<c>feed.ckpt</c>): every symbol's median, count, last price, last trade id
    /// and missed count, so that a restart resumes the all-time statistics and back-fills what traded meanwhile. Unset:
    /// the statistics live in memory only and start again from zero at every start.
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>How often the checkpoint is written (also at a clean shutdown).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ErrorMessage = RangeMessage)]
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Most of the time spent writing checkpoints, in percent: after a write that took t, the next waits at least
    /// t × 100 / this, so a large state is written less often rather than taking the feed's CPU.
    /// </summary>
    [Range(1, 100, ErrorMessage = RangeMessage)]
    public int CheckpointMaxDutyPercent { get; set; } = 5;

    /// <summary>Readiness (<c>/health/ready</c>) fails once checkpoints have been failing for this long.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = RangeMessage)]
    public TimeSpan CheckpointFailureGrace { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Replay this file of combined-stream lines instead of connecting.</summary>
    public string? ReplayFile { get; set; }

    /// <summary>An exchangeInfo response on disk: the universe without calling REST (replay and offline runs).</summary>
    public string? ExchangeInfoFile { get; set; }

    /// <summary>REQUEST_WEIGHT allowed per window and IP by Binance (its documented spot limit).</summary>
    [Range(1, 1_000_000, ErrorMessage = RangeMessage)]
    public int RestWeightLimit { get; set; } = 6000;

    /// <summary>
    /// Length of Binance's weight window; windows are fixed and aligned to multiples of it since the Unix epoch, as
    /// Binance's are. Only tests shorten it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00", ErrorMessage = RangeMessage)]
    public TimeSpan RestWeightWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Share of <see cref="RestWeightLimit"/> the feed plans to use per window: the rest is left to other clients on the
    /// same IP and to the gap between our count and the server's (clock offset, requests that cross a window's edge).
    /// </summary>
    [Range(1, 100, ErrorMessage = RangeMessage)]
    public int RestWeightBudgetPercent { get; set; } = 50;

    /// <summary>REST requests in flight at once, over all clients: what can still be outstanding when a 429 arrives.</summary>
    [Range(1, 64, ErrorMessage = RangeMessage)]
    public int MaxConcurrentRestRequests { get; set; } = 4;

    /// <summary>
    /// The <c>permissions</c> asked of exchangeInfo, comma-separated; empty leaves the parameter out. Without it Binance
    /// answers only the symbols with the SPOT, MARGIN or LEVERAGED permission, so the default lists every permission of
    /// the API's enums ("Account and Symbol Permissions": SPOT, MARGIN, LEVERAGED, TRD_GRP_002 to TRD_GRP_025) and the
    /// feed sees the symbols of every permission. Sent URL-encoded as a JSON array, e.g. <c>["SPOT","MARGIN"]</c>.
    /// </summary>
    [RegularExpression(@"^\s*[A-Z0-9_]+(\s*,\s*[A-Z0-9_]+)*\s*$",
        ErrorMessage = SectionName + ":{0} must list permissions such as SPOT or TRD_GRP_002, separated by commas.")]
    public string ExchangeInfoPermissions { get; set; } = DefaultExchangeInfoPermissions;

    /// <summary>The default of <see cref="ExchangeInfoPermissions"/>: every permission Binance documents.</summary>
    public const string DefaultExchangeInfoPermissions =
        "SPOT,MARGIN,LEVERAGED,TRD_GRP_002,TRD_GRP_003,TRD_GRP_004,TRD_GRP_005,TRD_GRP_006,TRD_GRP_007,TRD_GRP_008,"
        + "TRD_GRP_009,TRD_GRP_010,TRD_GRP_011,TRD_GRP_012,TRD_GRP_013,TRD_GRP_014,TRD_GRP_015,TRD_GRP_016,TRD_GRP_017,"
        + "TRD_GRP_018,TRD_GRP_019,TRD_GRP_020,TRD_GRP_021,TRD_GRP_022,TRD_GRP_023,TRD_GRP_024,TRD_GRP_025";

    /// <summary>
    /// How many times a connection subscribes again to a stream that LIST_SUBSCRIPTIONS does not show (or that SUBSCRIBE
    /// refused) before it gives that stream up: logged, counted in <c>feed.unconfirmed_streams</c> and left out of what the
    /// connection expects, so its other streams keep flowing. The next connection of the slot tries it again.
    /// </summary>
    [Range(0, 10, ErrorMessage = RangeMessage)]
    public int MaxResubscribes { get; set; } = 3;

    /// <summary>
    /// Requests (SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS) sent on a connection within any one second, on top of
    /// <see cref="SendInterval"/>. Binance allows 5 incoming messages per second per connection, pings and pongs included,
    /// and the client answers every server ping with a pong: 3 leaves room for that pong and a margin.
    /// </summary>
    [Range(1, 3, ErrorMessage = SectionName + ":{0} must be between {1} and {2} (Binance allows 5 incoming messages per second per connection, pongs included; each server ping is answered with one, and a request crossing a second's edge counts in two).")]
    public int MaxRequestsPerSecond { get; set; } = 3;
}
