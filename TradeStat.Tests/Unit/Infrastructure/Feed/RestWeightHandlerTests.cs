using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TradeStat.Infrastructure.Feed;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Unit.Infrastructure.Feed;

[TestFixture]
[Category("Unit")]
public sealed class RestWeightHandlerTests
{
    private static readonly DateTimeOffset Start = new(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [TestCase("/api/v3/exchangeInfo", 20)]
    [TestCase("/api/v3/exchangeInfo?symbol=BTCUSDT", 20)]
    [TestCase("/api/v3/historicalTrades?symbol=BTCUSDT&fromId=1&limit=1000", 25)]
    [TestCase("/api/v3/trades?symbol=BTCUSDT", 25)]
    [TestCase("/api/v3/aggTrades?symbol=BTCUSDT", 4)]
    [TestCase("/api/v3/ping", 1)]
    [TestCase("/api/v3/time", 1)]
    [TestCase("/api/v3/klines?symbol=BTCUSDT&interval=1m", 2)]
    [TestCase("/api/v3/uiKlines?symbol=BTCUSDT&interval=1m", 2)]
    [TestCase("/api/v3/avgPrice?symbol=BTCUSDT", 2)]
    [TestCase("/api/v3/depth?symbol=BTCUSDT", 5)]
    [TestCase("/api/v3/depth?symbol=BTCUSDT&limit=100", 5)]
    [TestCase("/api/v3/depth?symbol=BTCUSDT&limit=101", 25)]
    [TestCase("/api/v3/depth?limit=500&symbol=BTCUSDT", 25)]
    [TestCase("/api/v3/depth?symbol=BTCUSDT&limit=1000", 50)]
    [TestCase("/api/v3/depth?symbol=BTCUSDT&limit=5000", 250)]
    [TestCase("/api/v3/ticker/24hr", 80)]
    [TestCase("/api/v3/ticker/24hr?symbol=BTCUSDT", 2)]
    [TestCase("/api/v3/ticker/24hr?symbols=%5B%22BTCUSDT%22,%22BNBUSDT%22%5D", 2)]
    [TestCase("/api/v3/ticker/price", 4)]
    [TestCase("/api/v3/ticker/price?symbol=BTCUSDT", 2)]
    [TestCase("/api/v3/ticker/bookTicker?symbols=%5B%22BTCUSDT%22%5D", 4)]
    [TestCase("/api/v3/ticker?symbol=BTCUSDT", 4)]
    [TestCase("/api/v3/ticker?symbols=%5B%22A%22%2C%22B%22%2C%22C%22%5D", 12)]
    [TestCase("/api/v3/ticker/tradingDay?symbols=[\"A\",\"B\"]", 8)]
    [TestCase("/api/v3/exchangeInfo/", 20)]
    [TestCase("/api/v3/somethingNew", 1)]
    [TestCase("/sapi/v1/system/status", 1)]
    public void Each_route_weighs_what_Binance_documents(string pathAndQuery, int weight)
    {
        RestWeights.Of(pathAndQuery).Should().Be(weight);
        RestWeights.Of(new Uri(new Uri("https://api.binance.com"), pathAndQuery)).Should().Be(weight);
        RestWeights.Of(new Uri(pathAndQuery, UriKind.Relative)).Should().Be(weight);
    }

    [TestCase(1, 2)]
    [TestCase(20, 2)]
    [TestCase(21, 40)]
    [TestCase(100, 40)]
    [TestCase(101, 80)]
    public void The_24h_ticker_weighs_by_how_many_symbols_are_asked(int symbols, int weight)
    {
        var list = string.Join("%2C", Enumerable.Range(0, symbols).Select(i => $"%22S{i}%22"));
        RestWeights.Of($"/api/v3/ticker/24hr?symbols=%5B{list}%5D").Should().Be(weight);
    }

    [TestCase(50, 200)]
    [TestCase(51, 200)]
    [TestCase(10, 40)]
    public void The_rolling_ticker_weighs_4_per_symbol_up_to_its_cap(int symbols, int weight)
    {
        var list = string.Join(",", Enumerable.Range(0, symbols).Select(i => $"\"S{i}\""));
        RestWeights.Of($"/api/v3/ticker?symbols=[{list}]").Should().Be(weight);
    }

    [Test]
    public async Task Each_request_is_charged_its_routes_weight_and_frees_its_slot()
    {
        using var env = new Env();
        (await env.Http.GetAsync("/api/v3/exchangeInfo")).Dispose();
        (await env.Http.GetAsync("/api/v3/historicalTrades?symbol=BTCUSDT&fromId=1&limit=10")).Dispose();
        (await env.Http.GetAsync("/api/v3/aggTrades?symbol=BTCUSDT")).Dispose();

        env.Governor.UsedWeight.Should().Be(20 + 25 + 4);
        env.Metrics.RestWeight.Should().Be(20 + 25 + 4);
        env.Governor.InFlight.Should().Be(0);
        env.Stub.Count.Should().Be(3);
    }

    [Test]
    public async Task The_used_weight_header_corrects_the_count_like_a_naive_fold([Range(1, 40)] int variant)
    {
        // Random routes and random server figures: the count is the running maximum of (own charges, server figure).
        var random = new Random(variant);
        using var env = new Env(limit: 1_000_000, percent: 100);
        (string Path, int Weight)[] routes =
        [
            ("/api/v3/exchangeInfo", 20), ("/api/v3/historicalTrades?symbol=A&fromId=1&limit=5", 25), ("/api/v3/trades?symbol=A", 25),
            ("/api/v3/aggTrades?symbol=A", 4), ("/api/v3/ping", 1), ("/api/v3/depth?symbol=A&limit=1000", 50),
        ];
        long expected = 0;
        for (var i = 0; i < 60; i++)
        {
            var (path, weight) = routes[random.Next(routes.Length)];
            int? server = random.Next(3) == 0 ? null : random.Next(0, 3000);
            env.Stub.Answer = _ => Respond(HttpStatusCode.OK, used: server?.ToString(CultureInfo.InvariantCulture));
            (await env.Http.GetAsync(path)).Dispose();

            expected += weight;
            if (server > expected)
            {
                expected = server.Value;
            }

            env.Governor.UsedWeight.Should().Be(expected);
        }
    }

    [TestCase("120", 120)]
    [TestCase("0", 0)]
    public void Retry_After_in_seconds_is_read(string header, int seconds)
    {
        using var response = Respond(HttpStatusCode.TooManyRequests, retryAfter: header);
        RestWeightHandler.RetryAfter(response.Headers, Start).Should().Be(TimeSpan.FromSeconds(seconds));
    }

    [Test]
    public void Retry_After_as_an_HTTP_date_is_read_relative_to_now()
    {
        using var later = Respond(HttpStatusCode.TooManyRequests, retryAfter: Start.AddSeconds(90).ToString("R", CultureInfo.InvariantCulture));
        RestWeightHandler.RetryAfter(later.Headers, Start).Should().Be(TimeSpan.FromSeconds(90));

        using var past = Respond(HttpStatusCode.TooManyRequests, retryAfter: Start.AddSeconds(-5).ToString("R", CultureInfo.InvariantCulture));
        RestWeightHandler.RetryAfter(past.Headers, Start).Should().Be(TimeSpan.Zero);
    }

    [Test]
    public void A_missing_or_unreadable_header_reads_as_absent()
    {
        using var none = Respond(HttpStatusCode.TooManyRequests);
        RestWeightHandler.RetryAfter(none.Headers, Start).Should().BeNull();
        RestWeightHandler.UsedWeight(none).Should().BeNull();

        using var garbled = Respond(HttpStatusCode.TooManyRequests, retryAfter: "soon", used: "lots");
        RestWeightHandler.RetryAfter(garbled.Headers, Start).Should().BeNull();
        RestWeightHandler.UsedWeight(garbled).Should().BeNull();

        using var used = Respond(HttpStatusCode.OK, used: "1234");
        RestWeightHandler.UsedWeight(used).Should().Be(1234);
    }

    [Test]
    public async Task A_429_holds_the_next_call_until_Retry_After_has_passed()
    {
        using var env = new Env();
        env.Stub.Answer = _ => Respond(HttpStatusCode.TooManyRequests, retryAfter: "30");
        using (var throttled = await env.Http.GetAsync("/api/v3/exchangeInfo"))
        {
            throttled.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        }

        env.Stub.Answer = _ => Respond(HttpStatusCode.OK);
        var next = env.Http.GetAsync("/api/v3/ping");
        await Eventually.UntilAsync(() => env.Governor.Waiting == 1, Patience, "the next call waiting in the governor");

        env.Time.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromMilliseconds(1));
        next.IsCompleted.Should().BeFalse();
        env.Stub.Count.Should().Be(1, "nothing is sent before Retry-After has passed");

        env.Time.Advance(TimeSpan.FromMilliseconds(1));
        using (var answer = await next)
        {
            answer.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        env.Stub.Count.Should().Be(2);
        env.Governor.Throttled.Should().Be(1);
        env.Logger.Events.Should().ContainSingle(e => e.Level == LogLevel.Warning);
    }

    [Test]
    public async Task A_418_with_a_date_holds_every_call_until_then_and_is_logged_as_an_error()
    {
        using var env = new Env();
        env.Stub.Answer = _ => Respond((HttpStatusCode)418, retryAfter: Start.AddMinutes(5).ToString("R", CultureInfo.InvariantCulture));
        (await env.Http.GetAsync("/api/v3/exchangeInfo")).Dispose();

        env.Stub.Answer = _ => Respond(HttpStatusCode.OK);
        var first = env.Http.GetAsync("/api/v3/ping");
        var second = env.Http.GetAsync("/api/v3/time");
        await Eventually.UntilAsync(() => env.Governor.Waiting == 2, Patience, "both calls waiting in the governor");

        env.Time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromMilliseconds(1));
        env.Stub.Count.Should().Be(1, "during a ban nothing is sent");
        env.Time.Advance(TimeSpan.FromMilliseconds(1));
        (await first).Dispose();
        (await second).Dispose();

        env.Stub.Count.Should().Be(3);
        env.Governor.Bans.Should().Be(1);
        env.Metrics.Rest418.Should().Be(1);
        env.Logger.Events.Should().ContainSingle().Which.Level.Should().Be(LogLevel.Error);
    }

    [Test]
    public async Task A_418_without_Retry_After_holds_calls_for_two_minutes()
    {
        using var env = new Env();
        env.Stub.Answer = _ => Respond((HttpStatusCode)418);
        (await env.Http.GetAsync("/api/v3/exchangeInfo")).Dispose();

        env.Stub.Answer = _ => Respond(HttpStatusCode.OK);
        var next = env.Http.GetAsync("/api/v3/ping");
        await Eventually.UntilAsync(() => env.Governor.Waiting == 1, Patience, "the next call waiting in the governor");
        env.Time.Advance(TimeSpan.FromMinutes(2) - TimeSpan.FromMilliseconds(1));
        env.Stub.Count.Should().Be(1);
        env.Time.Advance(TimeSpan.FromMilliseconds(1));
        (await next).Dispose();
        env.Stub.Count.Should().Be(2);
    }

    [Test]
    public async Task ExchangeInfo_throws_the_429_with_its_status_and_its_next_attempt_waits_for_Retry_After()
    {
        using var env = new Env();
        var client = new ExchangeInfoClient(env.Http, new BinanceOptions { RestBaseUrl = env.Http.BaseAddress! }, NullLogger<ExchangeInfoClient>.Instance);
        env.Stub.Answer = _ => Respond(HttpStatusCode.TooManyRequests, retryAfter: "5");

        var failure = await FluentActions.Awaiting(() => client.GetSymbolsAsync(CancellationToken.None)).Should().ThrowAsync<HttpRequestException>();
        failure.Which.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);

        env.Stub.Answer = _ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent("""{"symbols":[{"symbol":"BTCUSDT"}]}""", Encoding.UTF8, "application/json"),
        };
        var retry = client.GetSymbolsAsync(CancellationToken.None);
        await Eventually.UntilAsync(() => env.Governor.Waiting == 1, Patience, "the retry waiting in the governor");
        env.Time.Advance(TimeSpan.FromSeconds(5));

        (await retry).Should().Equal("BTCUSDT");
        env.Stub.Count.Should().Be(2);
    }

    [Test]
    public async Task Both_REST_clients_are_registered_through_the_one_governor()
    {
        var time = new FakeTimeProvider();
        time.SetUtcNow(Start);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddLogging();
        services.AddSingleton<TimeProvider>(time);
        services.AddBinanceFeed();

        // Only the primary handler is replaced (the last configuration wins): what the feed put in front of it stays.
        services.AddHttpClient(nameof(ExchangeInfoClient)).ConfigurePrimaryHttpMessageHandler(() => new StubHandler());
        services.AddHttpClient(nameof(TradeHistoryClient)).ConfigurePrimaryHttpMessageHandler(() => new StubHandler());
        await using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IHttpClientFactory>();

        using (var exchangeInfo = factory.CreateClient(nameof(ExchangeInfoClient)))
        {
            (await exchangeInfo.GetAsync(new Uri("http://binance.test/api/v3/exchangeInfo"))).Dispose();
        }

        using (var backfill = factory.CreateClient(nameof(TradeHistoryClient)))
        {
            (await backfill.GetAsync(new Uri("http://binance.test/api/v3/historicalTrades?symbol=BTCUSDT&fromId=1"))).Dispose();
        }

        provider.GetRequiredService<RestGovernor>().UsedWeight.Should().Be(RestWeights.ExchangeInfo + RestWeights.HistoricalTrades);
        provider.GetRequiredService<FeedMetrics>().RestWeight.Should().Be(RestWeights.ExchangeInfo + RestWeights.HistoricalTrades);
    }

    private static HttpResponseMessage Respond(HttpStatusCode status, string? retryAfter = null, string? used = null)
    {
        var response = new HttpResponseMessage(status);
        if (retryAfter is not null)
        {
            response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        }

        if (used is not null)
        {
            response.Headers.TryAddWithoutValidation(RestWeightHandler.UsedWeightHeader, used);
        }

        return response;
    }

    /// <summary>An HttpClient whose requests go through the handler to a stub, on a fake clock.</summary>
    private sealed class Env : IDisposable
    {
        public Env(int limit = 6000, int percent = 50)
        {
            Time = new FakeTimeProvider();
            Time.SetUtcNow(Start);
            var options = new BinanceOptions { RestWeightLimit = limit, RestWeightBudgetPercent = percent };
            Governor = new RestGovernor(options, Metrics, Time, Logger);
            Http = new HttpClient(new RestWeightHandler(Governor, Time) { InnerHandler = Stub }) { BaseAddress = new Uri("http://binance.test") };
        }

        public FakeTimeProvider Time { get; }

        public StubHandler Stub { get; } = new();

        public RestGovernorTests.RecordingLogger Logger { get; } = new();

        public FeedMetrics Metrics { get; } = new();

        public RestGovernor Governor { get; }

        public HttpClient Http { get; }

        public void Dispose()
        {
            Http.Dispose();
            Governor.Dispose();
            Metrics.Dispose();
        }
    }

    /// <summary>Answers with <see cref="Answer"/> and counts what reached it.</summary>
    private sealed class StubHandler : HttpMessageHandler
    {
        private int _count;

        public Func<HttpRequestMessage, HttpResponseMessage> Answer { get; set; } = _ => new HttpResponseMessage(HttpStatusCode.OK);

        public int Count => Volatile.Read(ref _count);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return Task.FromResult(Answer(request));
        }
    }
}
