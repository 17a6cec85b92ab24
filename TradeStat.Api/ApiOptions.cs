using System.ComponentModel.DataAnnotations;

namespace TradeStat.Api;

/// <summary>HTTP-layer settings (section <c>TradeStat</c>); Kestrel's own limits live under <c>Kestrel:Limits</c>.</summary>
/// <remarks>
/// Each setting's default and range are declared here only: the defaults are the shipped ones (nothing in
/// appsettings.json repeats them) and the ranges are checked when the host starts, which fails naming the key.
/// </remarks>
public sealed class ApiOptions
{
    public const string SectionName = Domain.Series.SeriesOptions.SectionName;

    /// <summary>The request-timeout policy of uploads (<c>POST /add_batch/</c>).</summary>
    public const string UploadTimeoutPolicy = "upload";

    /// <summary>The console log formats: one JSON object per event, or readable lines.</summary>
    public const string JsonLogFormat = "json", TextLogFormat = "text";

    private const string RangeMessage = SectionName + ":{0} must be between {1} and {2}.";

    /// <summary>JSON nesting allowed in a request body (a valid add_batch body needs 2); deeper is a 400.</summary>
    [Range(2, 256, ErrorMessage = RangeMessage)]
    public int MaxJsonDepth { get; set; } = Formatting.AddBatchRequestParser.DefaultMaxDepth;

    /// <summary>Longest an add_batch may take, body upload included, before it is answered 408 (0 turns it off).</summary>
    [Range(0d, 3600d, ErrorMessage = SectionName + ":{0} must be between {1} and {2} seconds (0 turns it off).")]
    public double RequestTimeoutSeconds { get; set; } = 30;

    /// <summary>Time that in-flight requests get to finish after SIGTERM or Ctrl-C before the host stops.</summary>
    [Range(0d, 300d, ErrorMessage = SectionName + ":{0} must be between {1} and {2} seconds.")]
    public double ShutdownTimeoutSeconds { get; set; } = 5;

    /// <summary>
    /// One log event per request (never the body): at Information for client errors (4xx), Warning for requests slower
    /// than <see cref="SlowRequestMilliseconds"/>, Error for server errors, and Debug for the rest, so that the default
    /// minimum level (Information) keeps what needs a look and skips tens of thousands of successful reads a second.
    /// </summary>
    public bool RequestLogging { get; set; } = true;

    /// <summary>
    /// A per-request Activity (W3C trace and span ids on every log event of the request, and as the problem
    /// documents' <c>traceId</c>) and logging scope (RequestId, ConnectionId). Off by default: it costs CPU on every
    /// request; the request's own log event and problem documents then carry the request id instead.
    /// </summary>
    public bool RequestTracing { get; set; }

    /// <summary>A request that takes longer than this is logged at Warning (0: never).</summary>
    [Range(0d, 3_600_000d, ErrorMessage = SectionName + ":{0} must be between {1} and {2} milliseconds (0 turns it off).")]
    public double SlowRequestMilliseconds { get; set; } = 1000;

    /// <summary>Prometheus metrics at <c>/metrics</c> and per-request HTTP metrics.</summary>
    public bool Metrics { get; set; } = true;

    /// <summary>Console log format: <c>json</c> (one JSON object per event) or <c>text</c> (readable lines).</summary>
    public string LogFormat { get; set; } = JsonLogFormat;

    /// <summary>True for json or text, in any case.</summary>
    internal bool HasKnownLogFormat =>
        string.Equals(LogFormat, JsonLogFormat, StringComparison.OrdinalIgnoreCase) || string.Equals(LogFormat, TextLogFormat, StringComparison.OrdinalIgnoreCase);
}
