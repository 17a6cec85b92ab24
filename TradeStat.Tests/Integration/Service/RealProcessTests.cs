using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FluentAssertions.Execution;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Integration.Service;

/// <summary>
/// The built service as a user runs it: <c>dotnet TradeStat.Api.dll</c> in Production on a loopback port, with
/// real Kestrel limits, real logging to stdout and a real SIGTERM.
/// </summary>
[TestFixture]
[Category("Integration")]
[Platform("Linux")] // SIGTERM via /bin/kill
[NonParallelizable]
public sealed class RealProcessTests
{
    // The shipped Kestrel:Limits:MaxRequestBodySize (a code default), and Kestrel's own default.
    private const int DefaultBodyLimit = 1_048_576;
    private const int KestrelBuiltInBodyLimit = 30_000_000;

    private ServiceProcess _service = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task StartService()
    {
        _service = await ServiceProcess.StartAsync();
        _client = _service.CreateClient();
    }

    [OneTimeTearDown]
    public async Task StopService()
    {
        _client.Dispose();
        await _service.DisposeAsync();
    }

    [Test]
    public async Task Posted_batch_is_visible_in_stats_for_every_k()
    {
        var symbol = TradeStatApi.UniqueSymbol();
        var values = Enumerable.Range(1, 150).Select(i => i * 0.5).ToArray();

        (await _client.AddBatchAsync(symbol, values)).Should().Be(150);

        (await _client.StatsAsync(symbol, 1)).Should().Be(new StatsResult(symbol, 1, 10, 70.5, 75, 75, 72.75, 2.0625));
        (await _client.StatsAsync(symbol, 2)).Should().Be(new StatsResult(symbol, 2, 100, 25.5, 75, 75, 50.25, 208.3125));
        foreach (var k in new[] { 3, 4, 8 })
        {
            (await _client.StatsAsync(symbol, k)).ShouldMatchWindowOf(values, k);
        }
    }

    [Test]
    public async Task Invalid_k_returns_400_problem()
    {
        var symbol = TradeStatApi.UniqueSymbol();
        await _client.AddBatchAsync(symbol, [1]);

        using var response = await _client.GetAsync($"/stats/?symbol={symbol}&k=9");

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Unknown_symbol_returns_404_problem()
    {
        using var response = await _client.GetStatsAsync(TradeStatApi.UniqueSymbol(), 1);

        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [TestCase(DefaultBodyLimit + 1)]
    [TestCase(KestrelBuiltInBodyLimit + 1)] // over any configured limit too: checks the 413 mapping meanwhile
    public async Task Body_over_the_limit_with_expect_continue_returns_413_problem(int bytes)
    {
        // With Expect: 100-continue Kestrel refuses on Content-Length alone, before the client sends the body.
        using var request = OversizedBatch(bytes);
        request.Headers.ExpectContinue = true;

        using var response = await _client.SendAsync(request);

        await response.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [TestCase(2 * DefaultBodyLimit)]
    [TestCase(KestrelBuiltInBodyLimit + DefaultBodyLimit)]
    public async Task Body_over_the_limit_returns_413_problem_or_closes_the_connection_and_the_service_lives_on(int bytes)
    {
        // Kestrel answers as soon as Content-Length exceeds the limit and then closes the connection without
        // reading the rest; a client still sending may see the 413 or a reset, depending on timing.
        using var request = OversizedBatch(bytes);

        try
        {
            using var response = await _client.SendAsync(request);
            await response.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        }
        catch (HttpRequestException e)
        {
            TestContext.Out.WriteLine($"The oversized upload ended without a readable response: {e.Message} ({e.InnerException?.Message})");
        }

        using var live = await _client.GetAsync("/health/live");
        live.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Test]
    public async Task Configured_body_limit_is_enforced()
    {
        await using var service = await ServiceProcess.StartAsync("Production", "--Kestrel:Limits:MaxRequestBodySize=1000");
        using var client = service.CreateClient();
        var symbol = TradeStatApi.UniqueSymbol();

        // About 470 bytes: under the limit.
        (await client.AddBatchAsync(symbol, Enumerable.Repeat(1.5, 100))).Should().Be(100);
        using var request = OversizedBatch(1001);
        request.Headers.ExpectContinue = true;
        using var response = await client.SendAsync(request);

        await response.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        (await client.StatsAsync(symbol, 3)).Count.Should().Be(100);
    }

    [Test]
    public async Task Sigterm_stops_the_service_with_exit_code_0_and_its_log_is_json_without_request_bodies()
    {
        // A process of its own: this test ends it.
        await using var service = await ServiceProcess.StartAsync();
        using var client = service.CreateClient();
        var symbol = TradeStatApi.UniqueSymbol("secret");
        double[] secrets = [271828.18284, 314159.26535];
        await client.AddBatchAsync(symbol, secrets);
        await client.StatsAsync(symbol, 1);
        using (var badRequest = await client.PostRawAsync(TradeStatApi.RawBatchBody(symbol, "[161803.39887, \"x\"]")))
        {
            await badRequest.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        }

        await service.SendSigtermAsync();
        var exited = await service.WaitForExitAsync(TimeSpan.FromSeconds(10));

        exited.Should().BeTrue($"SIGTERM must stop the service within 10 s; {service.Describe()}");
        service.ExitCode.Should().Be(0, service.Describe());
        var lines = service.StandardOutput.Where(l => !string.IsNullOrWhiteSpace(l)).ToList();
        lines.Should().NotBeEmpty();
        using (new AssertionScope(service.Describe()))
        {
            lines.Should().AllSatisfy(line => IsJsonObject(line).Should().BeTrue($"every stdout line is a JSON event: {line}"));
            string[] bodyText = [symbol, "271828.18284", "314159.26535", "161803.39887"];
            lines.Should().AllSatisfy(line => line.Should().NotContainAny(bodyText));

            // Request events at the default level: the client error is there, the ordinary successes are not.
            lines.Should().Contain(line => line.Contains("responded 400", StringComparison.Ordinal));
            lines.Should().NotContain(line => line.Contains("responded 200", StringComparison.Ordinal));
        }
    }

    [Test]
    public async Task Stats_answer_is_sent_with_a_content_length_not_chunked()
    {
        var symbol = TradeStatApi.UniqueSymbol();
        await _client.AddBatchAsync(symbol, [1.25, 2.5, 3.75]);

        using var response = await _client.GetAsync($"/stats/?symbol={symbol}&k=1");

        // The header as sent (HttpContentHeaders.ContentLength would fall back to the buffered body's length).
        response.Content.Headers.NonValidated.TryGetValues("Content-Length", out var sent).Should().BeTrue("the answer carries a Content-Length");
        var body = await response.Content.ReadAsByteArrayAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.TransferEncodingChunked.Should().NotBe(true);
        sent.Should().Equal(body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        response.Content.Headers.ContentType!.ToString().Should().Be("application/json; charset=utf-8");
        Encoding.UTF8.GetString(body).Should().Be(
            $"{{\"symbol\":\"{symbol}\",\"k\":1,\"count\":3,\"min\":1.25,\"max\":3.75,\"last\":3.75,\"avg\":2.5,\"var\":1.0416666666666667}}");
    }

    [Test]
    public async Task Headers_over_the_limit_are_refused_with_431_and_the_service_lives_on()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        request.Headers.Add("X-Padding", new string('a', 40_000)); // Kestrel's MaxRequestHeadersTotalSize: 32 KB
        using var response = await _client.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.RequestHeaderFieldsTooLarge);

        using var next = await _client.GetAsync("/health/live");
        next.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Test]
    public async Task A_configured_header_limit_is_enforced()
    {
        await using var service = await ServiceProcess.StartAsync("Production", "--Kestrel:Limits:MaxRequestHeadersTotalSize=2048");
        using var client = service.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        request.Headers.Add("X-Padding", new string('a', 3_000));
        using var response = await client.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.RequestHeaderFieldsTooLarge);
        (await client.GetAsync("/health/live")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Test]
    public async Task Sigterm_under_load_lets_in_flight_requests_finish_and_exits_0_within_5_seconds()
    {
        await using var service = await ServiceProcess.StartAsync();
        using var client = service.CreateClient();
        var symbol = TradeStatApi.UniqueSymbol("drain");
        await client.AddBatchAsync(symbol, [1, 2, 3]);

        // Load on other connections while the signal arrives: stats reads in a bounded loop.
        using var stopLoad = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            using var loadClient = service.CreateClient();
            for (var i = 0; i < 100_000 && !stopLoad.IsCancellationRequested; i++)
            {
                try
                {
                    using var response = await loadClient.GetAsync($"/stats/?symbol={symbol}&k=1", stopLoad.Token);
                    ((int)response.StatusCode).Should().BeLessThan(500);
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                {
                    return; // the service stopped accepting: expected after SIGTERM
                }
            }
        })).ToArray();

        // An add_batch in flight: half of its body is sent before SIGTERM, the rest after.
        using var release = new SemaphoreSlim(0);
        var content = new TwoPartContent(
            Encoding.UTF8.GetBytes($$"""{"symbol": "{{symbol}}", "values": [4, 5,"""),
            " 6]}"u8.ToArray(),
            release)
        {
            Headers = { ContentType = new MediaTypeHeaderValue("application/json") },
        };
        var inFlight = client.PostAsync("/add_batch/", content);
        await content.FirstPartSent.WaitAsync(TimeSpan.FromSeconds(10));

        var signalled = System.Diagnostics.Stopwatch.StartNew();
        await service.SendSigtermAsync();
        release.Release();
        using var answer = await inFlight.WaitAsync(TimeSpan.FromSeconds(10));
        var exited = await service.WaitForExitAsync(TimeSpan.FromSeconds(10));
        signalled.Stop();
        await stopLoad.CancelAsync();
        await Task.WhenAll(load);

        answer.StatusCode.Should().Be(HttpStatusCode.OK, "a request in flight at SIGTERM completes; " + service.Describe());
        AddBatchResult.Parse(await answer.Content.ReadAsStringAsync()).Count.Should().Be(6);
        exited.Should().BeTrue(service.Describe());
        service.ExitCode.Should().Be(0, service.Describe());
        signalled.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5), "TradeStat:ShutdownTimeoutSeconds is 5 by default");
    }

    /// <summary>A body sent in two parts: the second only once <paramref name="release"/> is signalled.</summary>
    private sealed class TwoPartContent(byte[] first, byte[] second, SemaphoreSlim release) : HttpContent
    {
        private readonly TaskCompletionSource _firstSent = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task FirstPartSent => _firstSent.Task;

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(first);
            await stream.FlushAsync();
            _firstSent.TrySetResult();
            await release.WaitAsync(TimeSpan.FromSeconds(20));
            await stream.WriteAsync(second);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = first.Length + second.Length;
            return true;
        }
    }

    /// <summary>A POST /add_batch/ whose body is exactly <paramref name="bytes"/> long: a batch of many 1s.</summary>
    private static HttpRequestMessage OversizedBatch(int bytes)
    {
        var head = Encoding.UTF8.GetBytes($$"""{"symbol": "{{TradeStatApi.UniqueSymbol()}}", "values": [""");
        var tail = "1]}"u8;
        var body = new byte[bytes];
        head.CopyTo(body, 0);
        var filler = body.AsSpan(head.Length, bytes - head.Length - tail.Length);
        for (var i = 0; i < filler.Length; i++)
        {
            filler[i] = i % 2 == 0 ? (byte)'1' : (byte)',';
        }

        if (filler.Length % 2 == 1)
        {
            filler[^1] = (byte)' '; // keep "1," pairs whole
        }

        tail.CopyTo(body.AsSpan(bytes - tail.Length));
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return new HttpRequestMessage(HttpMethod.Post, "/add_batch/") { Content = content };
    }

    private static bool IsJsonObject(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
