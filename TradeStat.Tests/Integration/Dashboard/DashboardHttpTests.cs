using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using TradeStat.Api.Dashboard;
using TradeStat.Infrastructure.Feed;
using TradeStat.Tests.Fakes;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Integration.Dashboard;

/// <summary>
/// The dashboard over HTTP, without a browser: its page and files with their security headers, its live streams, and
/// the API's paths answering exactly as before beside them, with the feed off and on.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class DashboardHttpTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [TestCase("/")]
    [TestCase("/dashboard/")]
    [TestCase("/dashboard/index.html")]
    public async Task The_page_is_served_with_a_strict_content_security_policy(string path)
    {
        await using var service = new TradeStatFactory();
        using var client = service.CreateApiClient();

        using var answer = await client.GetAsync(path);

        answer.StatusCode.Should().Be(HttpStatusCode.OK);
        answer.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        answer.Headers.GetValues("Content-Security-Policy").Single().Should().StartWith("default-src 'self'");
        answer.Headers.GetValues("X-Content-Type-Options").Single().Should().Be("nosniff");
        var html = await answer.Content.ReadAsStringAsync();
        html.Should().Contain("<script src=\"/dashboard/dashboard.js\"").And.NotContain("<script>").And.NotContain("style=")
            .And.NotContain("http://").And.NotContain("https://");
    }

    [TestCase("/dashboard/dashboard.js", "text/javascript")]
    [TestCase("/dashboard/dashboard.css", "text/css")]
    [TestCase("/dashboard/lib/uplot/uPlot.iife.min.js", "text/javascript")]
    [TestCase("/dashboard/lib/uplot/uPlot.min.css", "text/css")]
    [TestCase("/dashboard/favicon.svg", "image/svg+xml")]
    public async Task Every_file_of_the_page_is_local_and_carries_the_policy(string path, string mediaType)
    {
        await using var service = new TradeStatFactory();
        using var client = service.CreateApiClient();

        using var answer = await client.GetAsync(path);

        answer.StatusCode.Should().Be(HttpStatusCode.OK);
        answer.Content.Headers.ContentType!.MediaType.Should().Be(mediaType);
        answer.Headers.GetValues("Content-Security-Policy").Single().Should().Be(DashboardFiles.ContentSecurityPolicy);
    }

    [Test]
    public async Task The_script_never_parses_text_as_html()
    {
        await using var service = new TradeStatFactory();
        using var client = service.CreateApiClient();

        var script = await client.GetStringAsync("/dashboard/dashboard.js");

        script.Should().NotContainAny("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function");
    }

    [Test]
    public async Task The_api_paths_answer_as_before_beside_the_dashboard_with_the_feed_on()
    {
        await using var exchange = new FakeBinanceExchange(Recordings.Bytes(Recordings.ExchangeInfo2024), [], []) { MalformedEvery = 0, IgnoreFirstSubscribe = false };
        await exchange.StartAsync();
        await using var service = exchange.FeedService();
        using var client = service.CreateApiClient();
        await Eventually.UntilAsync(async () => (await client.GetStringAsync("/symbols")).Contains("\"BTCUSDT\"", StringComparison.Ordinal), Timeout, "the feed's universe loaded");

        (await client.GetAsync("/dashboard/dashboard.js")).Content.Headers.ContentType!.MediaType.Should().Be("text/javascript", "a dashboard file is not a feed symbol");
        (await client.GetStringAsync("/")).Should().Contain("<title>TradeStat</title>");
        (await client.GetAsync("/dashboard")).StatusCode.Should().Be(HttpStatusCode.OK, "the page, not a feed symbol");
        (await client.GetAsync("/envelope")).StatusCode.Should().Be(HttpStatusCode.BadRequest, "the envelope's validation, not a feed symbol");
        (await client.GetAsync("/dashboard.js")).StatusCode.Should().Be(HttpStatusCode.NotFound, "a single segment is still the feed's, and no such symbol is followed");

        using (var btc = JsonDocument.Parse(await client.GetStringAsync("/btcusdt")))
        {
            btc.RootElement.GetProperty("symbol").GetString().Should().Be("BTCUSDT");
        }

        (await client.PostAsync("/add_batch/", Json("""{"symbol":"AAPL","values":[1,2]}"""))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetStringAsync("/stats/?symbol=AAPL&k=1")).Should().Be("""{"symbol":"AAPL","k":1,"count":2,"min":1,"max":2,"last":2,"avg":1.5,"var":0.25}""");
        (await client.GetAsync("/add_batch/")).StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        (await client.GetAsync("/metrics")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/health/live")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/openapi/v1.json")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.PostAsync("/", Json("{}"))).StatusCode.Should().Be(HttpStatusCode.NotFound, "the page only answers reads");
        (await client.GetAsync("/stats/")).Headers.Contains("Content-Security-Policy").Should().BeFalse("the API's answers are untouched");
    }

    [Test]
    public async Task With_the_dashboard_off_its_paths_are_unknown_and_the_api_is_untouched()
    {
        await using var service = new TradeStatFactory(("Dashboard:Enabled", "false"));
        using var client = service.CreateApiClient();

        (await client.GetAsync("/")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.GetAsync("/dashboard/dashboard.js")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.GetAsync("/dashboard/events/series")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.GetAsync("/stats/?symbol=X&k=1")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task The_series_stream_starts_with_every_symbol_as_the_api_answers_it_then_sends_changes_only()
    {
        await using var service = new TradeStatFactory();
        using var client = service.CreateApiClient();
        await client.PostAsync("/add_batch/", Json("""{"symbol":"AAPL","values":[150.0, 151.25, 1e-7, 1e21]}"""));
        await client.PostAsync("/add_batch/", Json("""{"symbol":"MSFT","values":[1]}"""));

        using var stream = await SseReader.OpenAsync(client, "/dashboard/events/series");
        stream.Response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        var snapshot = await stream.NextAsync("snapshot", Timeout);
        var rows = snapshot["rows"]!.AsArray();
        rows.Select(r => (string)r!["symbol"]!).Should().Equal("AAPL", "MSFT");
        foreach (var row in rows)
        {
            foreach (var s in row!["stats"]!.AsArray())
            {
                var api = JsonNode.Parse(await client.GetStringAsync($"/stats/?symbol={row["symbol"]}&k={s!["k"]}"))!;
                RawNumbers(await client.GetStringAsync($"/stats/?symbol={row["symbol"]}&k={s["k"]}"))
                    .Should().Equal(new[] { "min", "max", "last", "avg", "var" }.Select(name => (string)s[name]!), "the stream carries the API's own digits");
                ((long)s["count"]!).Should().Be((long)api["count"]!);
            }
        }

        await client.PostAsync("/add_batch/", Json("""{"symbol":"MSFT","values":[2]}"""));
        var update = await stream.NextAsync("update", Timeout);
        update["rows"]!.AsArray().Select(r => (string)r!["symbol"]!).Should().Equal(["MSFT"], "AAPL did not change");
        ((long)update["rows"]![0]!["count"]!).Should().Be(2);
    }

    [Test]
    public async Task The_feed_stream_says_when_the_feed_is_off()
    {
        await using var service = new TradeStatFactory();
        using var client = service.CreateApiClient();

        using var stream = await SseReader.OpenAsync(client, "/dashboard/events/feed");
        var snapshot = await stream.NextAsync("snapshot", Timeout);

        snapshot["rows"]!.AsArray().Should().BeEmpty();
        ((bool)snapshot["meta"]!["enabled"]!).Should().BeFalse();
    }

    [Test]
    public async Task Every_websocket_message_received_is_counted_in_the_metrics_and_the_feed_health()
    {
        const int Trading = 12, TradesPerSymbol = 25;
        var market = FakeMarket.Create(listed: 20, trading: Trading, tradesPerSymbol: TradesPerSymbol, 11);
        await using var exchange = new FakeBinanceExchange(market) { MalformedEvery = 0, IgnoreFirstSubscribe = false };
        await exchange.StartAsync();
        await using var service = exchange.FeedService();
        using var client = service.CreateApiClient();
        var metrics = service.Services.GetRequiredService<FeedMetrics>();
        await Eventually.UntilAsync(() => exchange.AllRecordedStreamsSubscribed, Timeout, "every trading symbol subscribed");
        exchange.PublishAll();
        await Eventually.UntilAsync(() => metrics.Trades == Trading * TradesPerSymbol, Timeout, "every trade counted");

        // Each trade is one message, and so is each reply to a request: the counter sees what the exchange sent.
        await Eventually.UntilAsync(() => metrics.Messages == exchange.MessagesSent, Timeout, $"the messages received ({metrics.Messages}) equal the messages sent ({exchange.MessagesSent})");
        metrics.Messages.Should().BeGreaterThan(Trading * TradesPerSymbol, "the replies to the subscriptions are messages too");

        var exported = Regex.Match(await client.GetStringAsync("/metrics"), "^tradestat_feed_events\\{event=\"messages\"\\} (\\d+)", RegexOptions.Multiline);
        exported.Success.Should().BeTrue("/metrics exports the counter beside the feed's other events");
        long.Parse(exported.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture).Should().BeGreaterThanOrEqualTo(Trading * TradesPerSymbol);

        using var stream = await SseReader.OpenAsync(client, "/dashboard/events/feed");
        var health = (await stream.NextAsync("snapshot", Timeout))["meta"]!;
        ((long)health["messages"]!).Should().BeGreaterThanOrEqualTo(Trading * TradesPerSymbol);
        ((long)health["trades"]!).Should().Be(Trading * TradesPerSymbol);
        health["messagesPerSecond"].Should().NotBeNull();
        health["tradesPerSecond"].Should().NotBeNull();
    }

    [Test]
    public async Task The_feed_history_keeps_the_recent_past_of_a_symbol_as_the_api_writes_it()
    {
        var market = FakeMarket.Create(listed: 6, trading: 3, tradesPerSymbol: 20, 5);
        await using var exchange = new FakeBinanceExchange(market) { MalformedEvery = 0, IgnoreFirstSubscribe = false };
        await exchange.StartAsync();
        await using var service = exchange.FeedService();
        using var client = service.CreateApiClient();
        await Eventually.UntilAsync(() => exchange.AllRecordedStreamsSubscribed, Timeout, "every trading symbol subscribed");
        var symbol = market.TradingSymbols[0];
        var path = "/dashboard/feed/history?symbol=" + Uri.EscapeDataString(symbol.ToLowerInvariant());

        using (var none = await client.GetAsync(path))
        {
            none.StatusCode.Should().Be(HttpStatusCode.OK);
            none.Headers.GetValues("Content-Security-Policy").Single().Should().Be(DashboardFiles.ContentSecurityPolicy);
            var empty = JsonNode.Parse(await none.Content.ReadAsStringAsync())!;
            ((string)empty["symbol"]!).Should().Be(symbol, "the symbol as the feed spells it");
            empty["t"]!.AsArray().Should().BeEmpty("the symbol has not traded yet");
        }

        // One trade at a time, each seen by a sample pass before the next: one sample per trade, none while nothing trades.
        for (var trades = 1; trades <= 3; trades++)
        {
            exchange.Publish(1, symbol);
            var expected = trades;
            await Eventually.UntilAsync(async () => JsonNode.Parse(await client.GetStringAsync(path))!["t"]!.AsArray().Count == expected, Timeout, $"{expected} samples");
        }

        var history = JsonNode.Parse(await client.GetStringAsync(path))!;
        var times = history["t"]!.AsArray().Select(t => (long)t!).ToArray();
        times.Should().HaveCount(3).And.BeInAscendingOrder();
        history["last"]!.AsArray().Should().HaveCount(3);
        history["median"]!.AsArray().Should().HaveCount(3);
        var api = RawJson.Members(await client.GetStringAsync("/" + symbol));
        ((string)history["last"]![2]!).Should().Be(api["last"], "the latest sample is the API's answer, digit for digit");
        ((string)history["median"]![2]!).Should().Be(api["median"]);

        (await client.GetAsync("/dashboard/feed/history?symbol=NOSUCHSYMBOL")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.GetAsync("/dashboard/feed/history")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await client.GetAsync("/dashboard/feed/history?symbol=")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await client.GetAsync("/dashboard/feed/history?symbol=" + new string('A', 65))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task The_feed_history_is_unknown_with_the_feed_off()
    {
        await using var service = new TradeStatFactory();
        using var client = service.CreateApiClient();

        (await client.GetAsync("/dashboard/feed/history?symbol=BTCUSDT")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Test]
    [Platform("Linux")] // SIGTERM via /bin/kill
    public async Task The_service_stops_cleanly_and_at_once_with_dashboards_open()
    {
        await using var service = await ServiceProcess.StartAsync();
        using var client = service.CreateClient();
        client.Timeout = System.Threading.Timeout.InfiniteTimeSpan;
        using var series = await SseReader.OpenAsync(client, "/dashboard/events/series");
        using var feed = await SseReader.OpenAsync(client, "/dashboard/events/feed");
        await series.NextAsync("snapshot", Timeout);
        await feed.NextAsync("snapshot", Timeout);

        await service.SendSigtermAsync();

        (await service.WaitForExitAsync(TimeSpan.FromSeconds(4))).Should().BeTrue("open streams end with the service instead of holding its shutdown; " + service.Describe());
        service.ExitCode.Should().Be(0, service.Describe());
        service.StandardOutput.Should().NotContain(line => line.Contains("\"@l\":\"Error\"", StringComparison.Ordinal) || line.Contains("\"@l\":\"Warning\"", StringComparison.Ordinal));
    }

    /// <summary>The five numbers of a /stats/ answer as the text the API wrote.</summary>
    private static IEnumerable<string> RawNumbers(string json)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json));
        var names = new HashSet<string> { "min", "max", "last", "avg", "var" };
        string? name = null;
        var values = new Dictionary<string, string>();
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName)
            {
                name = reader.GetString();
            }
            else if (reader.TokenType == JsonTokenType.Number && name is not null && names.Contains(name))
            {
                values[name] = System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
            }
        }

        return new[] { "min", "max", "last", "avg", "var" }.Select(n => values[n]);
    }

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");
}
