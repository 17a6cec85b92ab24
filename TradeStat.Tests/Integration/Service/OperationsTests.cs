using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TradeStat.Api;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Integration.Service;

/// <summary>What operators rely on: metrics, configured limits (timeouts, JSON depth) and their status codes.</summary>
[TestFixture]
[Category("Integration")]
public sealed class OperationsTests
{
    [TestCase(null, false)]
    [TestCase("false", false)]
    [TestCase("true", true)]
    public async Task Request_tracing_is_off_by_default_and_on_when_configured(string? setting, bool tracing)
    {
        await using var factory = setting is null ? new TradeStatFactory() : new TradeStatFactory(("TradeStat:RequestTracing", setting));
        using var client = factory.CreateApiClient();

        using var response = await client.GetAsync($"/stats/?symbol={TradeStatApi.UniqueSymbol()}&k=1");

        // The hosting logger decides whether ASP.NET Core starts an Activity and a logging scope per request.
        var hosting = factory.Services.GetRequiredService<ILoggerFactory>().CreateLogger(HostingExtensions.HostingDiagnosticsCategory);
        hosting.IsEnabled(LogLevel.Critical).Should().Be(tracing);
        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        var traceId = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("traceId").GetString();
        traceId.Should().NotBeNullOrEmpty();
        if (tracing)
        {
            traceId.Should().StartWith("00-", "a W3C trace context from the request's Activity");
        }
        else
        {
            traceId.Should().NotStartWith("00-", "without an Activity the request id stands in (it is in the request's log event)");
        }
    }

    [Test]
    public async Task Metrics_show_ingestion_rejections_symbols_and_the_runtime()
    {
        await using var factory = new TradeStatFactory(("TradeStat:MaxSymbols", "1000"));
        using var client = factory.CreateApiClient();
        var symbol = TradeStatApi.UniqueSymbol("M");
        await client.AddBatchAsync(symbol, [1, 2, 3, 4, 5]);
        (await client.GetAsync($"/stats/?symbol={TradeStatApi.UniqueSymbol()}&k=1")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.GetAsync($"/stats/?symbol={symbol}&k=9")).StatusCode.Should().Be(HttpStatusCode.BadRequest);

        using var response = await client.GetAsync("/metrics");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var text = await response.Content.ReadAsStringAsync();

        Value(text, $"tradestat_points_held{{symbol=\"{symbol}\"}}").Should().Be(5, $"tradestat_points_held{{symbol=\"{symbol}\"}}");
        Value(text, $"tradestat_points_added{{symbol=\"{symbol}\"}}").Should().Be(5, $"tradestat_points_added{{symbol=\"{symbol}\"}}");
        Value(text, "tradestat_points_ingested_total").Should().BeGreaterThanOrEqualTo(5, "tradestat_points_ingested_total");
        Value(text, "tradestat_batches_ingested_total").Should().BeGreaterThanOrEqualTo(1, "tradestat_batches_ingested_total");
        Value(text, "tradestat_requests_rejected_total{reason=\"not_found\"}").Should().BeGreaterThanOrEqualTo(1, "tradestat_requests_rejected_total{reason=\"not_found\"}");
        Value(text, "tradestat_requests_rejected_total{reason=\"invalid_request\"}").Should().BeGreaterThanOrEqualTo(1, "tradestat_requests_rejected_total{reason=\"invalid_request\"}");
        Value(text, "tradestat_symbols").Should().BeGreaterThanOrEqualTo(1, "tradestat_symbols");
        Value(text, "http_requests_received_total{endpoint=\"stats\",method=\"GET\",code=\"404\"}").Should().BeGreaterThanOrEqualTo(1, "404 counted under its route");
        Value(text, "http_requests_received_total{endpoint=\"stats\",method=\"GET\",code=\"400\"}").Should().BeGreaterThanOrEqualTo(1, "400 counted under its route");
        text.Should().Contain("http_request_duration_seconds_bucket");
        text.Should().Contain("dotnet_collection_count_total").And.Contain("process_working_set_bytes");
    }

    [Test]
    public async Task A_body_that_stalls_past_the_request_timeout_is_a_408_problem()
    {
        await using var factory = new TradeStatFactory(("TradeStat:RequestTimeoutSeconds", "0.5"));
        using var client = factory.CreateApiClient();
        using var stall = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var content = new StallingContent("{\"symbol\":\"SLOW\",\"values\":[1,2,"u8.ToArray(), stall.Token);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await client.PostAsync("/add_batch/", content);
        await stall.CancelAsync();

        await response.ShouldBeProblemAsync(HttpStatusCode.RequestTimeout);
        (await client.GetAsync("/stats/?symbol=SLOW&k=1")).StatusCode.Should().Be(HttpStatusCode.NotFound, "nothing of the stalled batch was added");
    }

    [Test]
    public async Task Json_nesting_beyond_the_configured_depth_is_a_400_problem()
    {
        // Unknown members are ignored whatever they hold, so only the depth limit can refuse this body.
        var body = "{\"symbol\":\"DEEP\",\"values\":[1],\"extra\":{\"a\":{\"b\":[1]}}}";
        await using (var lenient = new TradeStatFactory())
        {
            using var client = lenient.CreateApiClient();
            (await client.PostRawAsync(body)).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await using var strict = new TradeStatFactory(("TradeStat:MaxJsonDepth", "3"));
        using var strictClient = strict.CreateApiClient();
        using var response = await strictClient.PostRawAsync(body);
        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Very_deep_nesting_is_a_400_problem_by_default()
    {
        await using var factory = new TradeStatFactory();
        using var client = factory.CreateApiClient();
        var body = "{\"symbol\":\"DEEP\",\"values\":" + new string('[', 10_000) + new string(']', 10_000) + "}";
        using var response = await client.PostRawAsync(body);
        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task An_invalid_limit_stops_the_real_service_at_start_with_a_clear_message()
    {
        var start = async () => await ServiceProcess.StartAsync("Production", "--TradeStat:MaxJsonDepth=1");
        var failure = await start.Should().ThrowAsync<InvalidOperationException>();
        failure.Which.Message.Should().Contain("exited with 1").And.Contain("TradeStat:MaxJsonDepth must be between 2 and 256");
        // The service's last word is the reason alone; only the host's own "Hosting failed to start" carries a trace.
        failure.Which.Message.Should().Contain("TradeStat cannot start: ").And.NotContain("terminated unexpectedly");
    }

    private static double Value(string metrics, string series)
    {
        foreach (var line in metrics.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
            }
        }

        throw new AssertionException($"No series {series} in /metrics:\n{metrics}");
    }

    /// <summary>Sends the first bytes of a body, then nothing until cancelled.</summary>
    private sealed class StallingContent(byte[] head, CancellationToken stall) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync(head, stall);
            await stream.FlushAsync(stall);
            try
            {
                await Task.Delay(Timeout.Infinite, stall);
            }
            catch (OperationCanceledException)
            {
                // The test is over: end the body.
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken) =>
            SerializeToStreamAsync(stream, context);
    }
}
