using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Routing;
using Prometheus;

namespace TradeStat.Api.Diagnostics;

/// <summary>
/// Request rate and latency per endpoint and status (and every 4xx/5xx counted as a rejection by reason), as
/// Prometheus metrics: <c>http_requests_received_total</c>
/// and <c>http_request_duration_seconds</c>, labelled by route template, method and status code. The labelled
/// children are looked up once per (route, method, status) and cached, so a request costs a timestamp, one
/// dictionary hit, an increment and a histogram observation; no allocation. (prometheus-net's own
/// <c>UseHttpMetrics</c> measured ~6 µs of CPU per request here, a fifth of a stats request.)
/// </summary>
public sealed class HttpMetricsMiddleware(RequestDelegate next, ServiceMetrics metrics)
{
    private static readonly Counter Requests = Metrics.CreateCounter(
        "http_requests_received_total", "HTTP requests answered, by route template, method and status code.", "endpoint", "method", "code");

    private static readonly Histogram Duration = Metrics.CreateHistogram(
        "http_request_duration_seconds", "Time from the request's arrival to its answer, by route template and method.",
        new HistogramConfiguration
        {
            LabelNames = ["endpoint", "method"],
            Buckets = Histogram.ExponentialBuckets(0.0001, 2, 16), // 100 µs … 3.3 s
        });

    private static readonly ConcurrentDictionary<(string Endpoint, string Method, int Code), (Counter.Child Count, Histogram.Child Time)> Children = new();

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();

        // Routing ran before this middleware; read the endpoint now, as error handling clears it.
        var endpoint = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "none";
        try
        {
            await next(context);
        }
        finally
        {
            var key = (endpoint, Method(context.Request.Method), context.Response.StatusCode);
            if (!Children.TryGetValue(key, out var children))
            {
                children = Children.GetOrAdd(key, static k => (
                    Requests.WithLabels(k.Endpoint, k.Method, k.Code.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    Duration.WithLabels(k.Endpoint, k.Method)));
            }

            children.Count.Inc();
            children.Time.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
            if (key.Item3 >= 400)
            {
                metrics.Rejected(key.Item3); // every problem answer, whichever layer produced it
            }
        }
    }

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
}
