using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Prometheus;

namespace TradeStat.Api.Diagnostics;

/// <summary>
/// Everything the service observes of a request, in one middleware with one timestamp: the Prometheus metrics
/// <c>http_requests_received_total</c> and <c>http_request_duration_seconds</c> (by route template, method and
/// status; every 4xx/5xx also counted as a rejection by reason) and the request's log event, whose level follows
/// the outcome (<see cref="Level"/>).
/// </summary>
/// <remarks>
/// An ordinary success costs a timestamp, one dictionary hit keyed by object identity (no string hashing), an
/// increment, a histogram observation and a level check: no allocation. prometheus-net's own <c>UseHttpMetrics</c>
/// cost more CPU per request, and Serilog's request-logging middleware allocated on every request even when it wrote
/// nothing. Exemplars are not recorded (they would read the trace context on every request).
/// </remarks>
public sealed partial class RequestTelemetryMiddleware(
    RequestDelegate next,
    ServiceMetrics metrics,
    ILogger<RequestTelemetryMiddleware> logger,
    IOptions<ApiOptions> options)
{
    private static readonly Counter Requests = Prometheus.Metrics.CreateCounter(
        "http_requests_received_total", "HTTP requests answered, by route template, method and status code.", "endpoint", "method", "code");

    private static readonly Histogram Duration = Prometheus.Metrics.CreateHistogram(
        "http_request_duration_seconds", "Time from the request's arrival to its answer, by route template and method.",
        new HistogramConfiguration
        {
            LabelNames = ["endpoint", "method"],
            Buckets = Histogram.ExponentialBuckets(0.0001, 2, 16), // 100 µs … 3.3 s
        });

    // Per pipeline, so that the endpoints it is keyed by are this app's (other hosts in the process have their own).
    private readonly ConcurrentDictionary<ChildKey, (Counter.Child Count, Histogram.Child Time)> _children = new();
    private readonly bool _metrics = options.Value.Metrics;
    private readonly bool _logging = options.Value.RequestLogging;
    private readonly double _slowMs = options.Value.SlowRequestMilliseconds;

    /// <summary>
    /// The level of a request's log event: Error for a server error, Warning for a request slower than
    /// <paramref name="slowMs"/> (0: never), Information for a client error, Debug for an ordinary success (not
    /// written at the default minimum level).
    /// </summary>
    public static LogLevel Level(int statusCode, double elapsedMs, double slowMs) =>
        statusCode >= StatusCodes.Status500InternalServerError ? LogLevel.Error
        : slowMs > 0 && elapsedMs > slowMs ? LogLevel.Warning
        : statusCode >= StatusCodes.Status400BadRequest ? LogLevel.Information
        : LogLevel.Debug;

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();

        // Routing ran before this middleware; read the endpoint now, as error handling clears it.
        var endpoint = context.GetEndpoint();
        Exception? failure = null;
        try
        {
            await next(context);
        }
        catch (Exception ex)
        {
            // Past the exception handler (the response had started, or the handler failed): Kestrel answers 500 or
            // aborts. Record it as such, then let it go on.
            failure = ex;
            throw;
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            var status = failure is null ? context.Response.StatusCode : StatusCodes.Status500InternalServerError;
            if (_metrics)
            {
                Observe(endpoint, Method(context.Request.Method), status, elapsed);
            }

            if (_logging)
            {
                // A live stream lasts as long as its page stays open: that is not slowness.
                var slowMs = endpoint?.Metadata.GetMetadata<Dashboard.LongLivedAttribute>() is null ? _slowMs : 0;
                var level = Level(status, elapsed.TotalMilliseconds, slowMs);
                if (logger.IsEnabled(level))
                {
                    LogRequest(logger, level, failure, context.Request.Method, context.Request.Path.Value, status, elapsed.TotalMilliseconds, context.TraceIdentifier);
                }
            }
        }
    }

    private void Observe(Endpoint? endpoint, string method, int status, TimeSpan elapsed)
    {
        var key = new ChildKey(endpoint, method, status);
        if (!_children.TryGetValue(key, out var children))
        {
            children = _children.GetOrAdd(key, static k =>
            {
                var template = (k.Endpoint as RouteEndpoint)?.RoutePattern.RawText ?? "none";
                return (
                    Requests.WithLabels(template, k.Method, k.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    Duration.WithLabels(template, k.Method));
            });
        }

        children.Count.Inc(Exemplar.None);
        children.Time.Observe(elapsed.TotalSeconds, Exemplar.None);
        if (status >= 400)
        {
            metrics.Rejected(status); // every problem answer, whichever layer produced it
        }
    }

    /// <summary>
    /// The message and property names of Serilog's request logging, so that queries on them keep working (the source
    /// context is <c>TradeStat.Api.Diagnostics.RequestTelemetryMiddleware</c>), plus the request id.
    /// </summary>
    /// <remarks>The request id is the one problem documents show as <c>traceId</c> when request tracing is off.</remarks>
    [LoggerMessage(Message = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms (request {RequestId})")]
    private static partial void LogRequest(ILogger logger, LogLevel level, Exception? exception, string requestMethod, string? requestPath, int statusCode, double elapsed, string requestId);

    /// <summary>The standard methods by name, anything else as <c>OTHER</c>: clients cannot grow the label set.</summary>
    private static string Method(string method) =>
        HttpMethods.IsGet(method) ? HttpMethods.Get
        : HttpMethods.IsPost(method) ? HttpMethods.Post
        : HttpMethods.IsHead(method) ? HttpMethods.Head
        : HttpMethods.IsPut(method) ? HttpMethods.Put
        : HttpMethods.IsDelete(method) ? HttpMethods.Delete
        : HttpMethods.IsPatch(method) ? HttpMethods.Patch
        : HttpMethods.IsOptions(method) ? HttpMethods.Options
        : "OTHER";

    /// <summary>
    /// Endpoint and method by identity (endpoints live as long as the app; methods are the interned constants of
    /// <see cref="Method"/>), status by value.
    /// </summary>
    private readonly record struct ChildKey(Endpoint? Endpoint, string Method, int Status)
    {
        public bool Equals(ChildKey other) =>
            ReferenceEquals(Endpoint, other.Endpoint) && ReferenceEquals(Method, other.Method) && Status == other.Status;

        public override int GetHashCode() =>
            HashCode.Combine(RuntimeHelpers.GetHashCode(Endpoint), RuntimeHelpers.GetHashCode(Method), Status);
    }
}
