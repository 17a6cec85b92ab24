using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using TradeStat.Tests.Fakes;
using TradeStat.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace TradeStat.Tests.Integration.Dashboard;

/// <summary>
/// The dashboard in a real browser (the system's Chromium through Playwright) against the built service started as a
/// user starts it, and the fake exchange for the feed: what the page shows equals what the API answers, it updates by
/// itself, it filters and sorts, it says when the connection is lost, and it never errs or leaves its origin.
/// </summary>
[TestFixture]
[Category("Integration")]
[Category("Browser")]
[NonParallelizable]
public sealed class DashboardBrowserTests
{
    // Bounded waits for what the page shows: each is a deadline, not a pause.
    private static readonly LocatorAssertionsToHaveTextOptions Soon = new() { Timeout = 15_000 };
    private static readonly LocatorAssertionsToBeVisibleOptions SoonVisible = new() { Timeout = 15_000 };
    private static readonly LocatorAssertionsToBeHiddenOptions SoonHidden = new() { Timeout = 20_000 };

    // A name as exchangeInfo could list it now (any Unicode; the feed keeps symbols upper-case): markup, an event handler
    // that would open a dialog (recorded as an error by the watched page), quotes and an entity.
    private const string HostileName = "<IMG SRC=X ONERROR=\"ALERT(1)\">&AMP;'Ω";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    [OneTimeSetUp]
    public async Task LaunchBrowser() => (_playwright, _browser) = await Chromium.LaunchAsync();

    [OneTimeTearDown]
    public async Task CloseBrowser()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    [Test]
    public async Task Series_view_shows_the_api_values_and_new_batches_by_itself()
    {
        await using var service = await ServiceProcess.StartAsync();
        using var client = service.CreateClient();
        await AddAsync(client, "AAPL", [150.0, 151.25, 149.5, 1e-7, 1e21, 0.1, 0.30000000000000004]);
        await using var watched = await WatchedPage.OpenAsync(_browser!, service.BaseAddress);
        var page = watched.Page;

        await page.GotoAsync("/");
        await Expect(SeriesRow(page, "AAPL").Locator("td")).ToHaveTextAsync("7", Soon);
        await SeriesRow(page, "AAPL").GetByRole(AriaRole.Link).ClickAsync();
        await ExpectStatsAsync(page, client, "AAPL");
        await Expect(page.Locator("#series-chart canvas").First).ToBeVisibleAsync(SoonVisible);

        await AddAsync(client, "MSFT", [1, 2, 3]);
        await Expect(SeriesRow(page, "MSFT").Locator("td")).ToHaveTextAsync("3", Soon);
        await AddAsync(client, "AAPL", [42.125]);
        await Expect(SeriesRow(page, "AAPL").Locator("td")).ToHaveTextAsync("8", Soon);
        await ExpectStatsAsync(page, client, "AAPL");

        watched.Errors.Should().BeEmpty();
        watched.ForeignRequests.Should().BeEmpty();
    }

    [Test]
    public async Task Feed_view_shows_every_symbol_as_the_api_answers_it_filters_and_sorts()
    {
        var market = FakeMarket.Create(listed: 80, trading: 30, tradesPerSymbol: 60, seed: 16);
        await using var exchange = new FakeBinanceExchange(market)
        {
            MalformedEvery = 0,
            IgnoreFirstSubscribe = false,
            ExchangeInfo = WithListedSymbol(market.ExchangeInfo, HostileName),
        };
        await exchange.StartAsync();
        await using var service = await ServiceProcess.StartAsync("Production",
            "--Binance:Enabled=true", $"--Binance:RestBaseUrl={exchange.RestBaseUrl}", $"--Binance:StreamBaseUrl={exchange.StreamBaseUrl}");
        using var client = service.CreateClient();
        await service.UntilAsync(() => Task.FromResult(exchange.AllRecordedStreamsSubscribed), "every trading symbol subscribed", TimeSpan.FromSeconds(60));
        exchange.PublishAll();
        var symbols = JsonSerializer.Deserialize<string[]>(await client.GetStringAsync("/symbols"))!;
        symbols.Should().Contain(HostileName);
        await service.UntilAsync(async () => await CountedAsync(client, market.TradingSymbols[^1]) == 60, "every trade counted", TimeSpan.FromSeconds(60));

        await using var watched = await WatchedPage.OpenAsync(_browser!, service.BaseAddress);
        var page = watched.Page;
        await page.GotoAsync("/#/feed");
        var rows = page.Locator("#feed-table tbody tr");
        await Expect(rows).ToHaveCountAsync(symbols.Length, new() { Timeout = 15_000 });

        // The hostile name is shown as the text it is, and nothing in it ran or became an element.
        await Expect(FeedRow(page, HostileName).GetByRole(AriaRole.Link)).ToHaveTextAsync(HostileName, Soon);
        (await page.Locator("#feed-table img").CountAsync()).Should().Be(0);

        // Every row equals the API's answer for its symbol, digit for digit.
        foreach (var symbol in market.TradingSymbols.Take(8).Append(HostileName))
        {
            var api = RawJson.Members(await client.GetStringAsync("/" + Uri.EscapeDataString(symbol)));
            var cells = FeedRow(page, symbol).Locator("td");
            await Expect(cells).ToHaveTextAsync(
                [api["count"], api["median"] == "null" ? "—" : api["median"], api["last"] == "null" ? "—" : api["last"], api["exact"] == "true" ? "yes" : "no", api["missed"]],
                new() { Timeout = 15_000 });
        }

        // Search: only matching symbols stay visible.
        var needle = market.TradingSymbols[3][..4];
        await page.GetByLabel("Search symbols").FillAsync(needle.ToLowerInvariant());
        var expected = symbols.Count(s => s.Contains(needle, StringComparison.OrdinalIgnoreCase));
        await Expect(page.Locator("#feed-table tbody tr:visible")).ToHaveCountAsync(expected, new() { Timeout = 5_000 });
        await page.GetByLabel("Search symbols").FillAsync("");

        // Sort by count, largest first (second click), by keyboard.
        var countHeader = page.Locator("#feed-table thead th[data-key=count] button");
        await countHeader.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#feed-table thead th[data-key=count]")).ToHaveAttributeAsync("aria-sort", "descending");
        var counts = (await page.Locator("#feed-table tbody tr td:nth-of-type(1)").AllInnerTextsAsync()).Select(long.Parse).ToArray();
        counts.Should().BeInDescendingOrder().And.HaveCount(symbols.Length);
        counts[0].Should().Be(60);

        // The detail of a symbol, and the health beside the table.
        await FeedRow(page, market.TradingSymbols[0]).GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.Locator("#feed-detail-title")).ToHaveTextAsync(market.TradingSymbols[0], Soon);
        await Expect(page.Locator("#feed-health [data-key=connections] dd")).ToHaveTextAsync("1", Soon);
        await Expect(page.Locator("#feed-health [data-key=symbols] dd")).ToHaveTextAsync(symbols.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), Soon);

        watched.Errors.Should().BeEmpty();
        watched.ForeignRequests.Should().BeEmpty();
    }

    [Test]
    public async Task Feed_view_says_the_feed_is_off_and_how_to_turn_it_on()
    {
        await using var service = await ServiceProcess.StartAsync();
        await using var watched = await WatchedPage.OpenAsync(_browser!, service.BaseAddress, viewportWidth: 390);
        var page = watched.Page;

        await page.GotoAsync("/#/feed");

        await Expect(page.Locator("#feed-off")).ToBeVisibleAsync(SoonVisible);
        await Expect(page.Locator("#feed-off")).ToContainTextAsync("--Binance:Enabled=true");
        await Expect(page.Locator("#feed-body")).ToBeHiddenAsync();
        watched.Errors.Should().BeEmpty();
        watched.ForeignRequests.Should().BeEmpty();
    }

    [Test]
    public async Task Feed_detail_chart_starts_from_the_points_the_service_kept_before_the_page_opened()
    {
        var market = FakeMarket.Create(listed: 10, trading: 5, tradesPerSymbol: 20, 7);
        await using var feed = await FeedUnderTest.StartAsync(market, TimeSpan.FromSeconds(60));
        var (exchange, service) = (feed.Exchange, feed.Service);
        using var client = service.CreateClient();
        var symbol = market.TradingSymbols[1];
        for (var samples = 1; samples <= 3; samples++)
        {
            exchange.Publish(1, symbol);
            var expected = samples;
            await service.UntilAsync(async () => await HistoryCountAsync(client, symbol) == expected, $"{expected} samples kept", TimeSpan.FromSeconds(30));
        }

        // Nothing trades once the page is open: every point but the one of its snapshot is from before.
        await using var watched = await WatchedPage.OpenAsync(_browser!, service.BaseAddress);
        var page = watched.Page;
        await page.GotoAsync("/#/feed/" + Uri.EscapeDataString(symbol));

        await Expect(page.Locator("#feed-detail-title")).ToHaveTextAsync(symbol, Soon);
        await Expect(page.Locator("#feed-chart canvas").First).ToBeVisibleAsync(SoonVisible);
        await Expect(page.Locator("#feed-chart")).ToHaveAttributeAsync("data-points", new System.Text.RegularExpressions.Regex("^([3-9]|[1-9][0-9]+)$"), new() { Timeout = 15_000 });
        await Expect(page.Locator("#feed-chart-note")).ToHaveTextAsync("Last price and median over the recent past, then live.", Soon);
        watched.Errors.Should().BeEmpty();
        watched.ForeignRequests.Should().BeEmpty();
    }

    [Test]
    public async Task Feed_view_is_usable_at_phone_width()
    {
        var market = FakeMarket.Create(listed: 60, trading: 40, tradesPerSymbol: 5, 39);
        await using var feed = await FeedUnderTest.StartAsync(market, TimeSpan.FromSeconds(60));
        var (exchange, service) = (feed.Exchange, feed.Service);
        using var client = service.CreateClient();
        exchange.PublishAll();
        await service.UntilAsync(async () => await CountedAsync(client, market.TradingSymbols[^1]) == 5, "every trade counted", TimeSpan.FromSeconds(60));
        var symbols = JsonSerializer.Deserialize<string[]>(await client.GetStringAsync("/symbols"))!;

        await using var watched = await WatchedPage.OpenAsync(_browser!, service.BaseAddress, viewportWidth: 390, viewportHeight: 844);
        var page = watched.Page;
        await page.GotoAsync("/#/feed");
        await Expect(page.Locator("#feed-table tbody tr")).ToHaveCountAsync(symbols.Length, new() { Timeout = 15_000 });

        // The page never scrolls sideways: the table scrolls inside its own box.
        (await SidewaysOverflowAsync(page)).Should().BeLessThanOrEqualTo(0, "the page fits the phone's width");
        (await page.EvaluateAsync<int>("() => { const box = document.querySelector('#feed-table').parentElement; return box.scrollWidth - box.clientWidth; }"))
            .Should().BeGreaterThan(0, "the table is wider than the phone and scrolls in its box");

        var search = page.GetByLabel("Search symbols");
        await Expect(search).ToBeInViewportAsync();
        var needle = market.TradingSymbols[2][..4];
        await search.FillAsync(needle.ToLowerInvariant());
        await Expect(page.Locator("#feed-table tbody tr:visible")).ToHaveCountAsync(symbols.Count(s => s.Contains(needle, StringComparison.OrdinalIgnoreCase)), new() { Timeout = 5_000 });
        await search.FillAsync("");

        // Every sort control is reachable, the last one too (the table's box scrolls to it).
        foreach (var key in new[] { "count", "missed" })
        {
            await page.Locator($"#feed-table thead th[data-key={key}] button").ClickAsync();
            await Expect(page.Locator($"#feed-table thead th[data-key={key}]")).ToHaveAttributeAsync("aria-sort", "ascending");
        }

        var symbol = market.TradingSymbols[0];
        await page.Locator("#feed-table tbody tr").Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = symbol, Exact = true }) })
            .GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.Locator("#feed-detail-title")).ToHaveTextAsync(symbol, Soon);
        await Expect(page.Locator("#feed-detail-title")).ToBeInViewportAsync();
        (await SidewaysOverflowAsync(page)).Should().BeLessThanOrEqualTo(0, "the detail fits the phone's width too");
        watched.Errors.Should().BeEmpty();
        watched.ForeignRequests.Should().BeEmpty();
    }

    [Test]
    public async Task A_lost_connection_is_shown_and_clears_by_itself_when_it_comes_back()
    {
        await using var service = await ServiceProcess.StartAsync();
        await using var proxy = new LoopbackProxy(service.BaseAddress);
        using var client = service.CreateClient();
        await using var watched = await WatchedPage.OpenAsync(_browser!, proxy.Address);
        var page = watched.Page;
        await page.GotoAsync("/");
        await Expect(page.Locator("#live-state")).ToHaveTextAsync("Live", Soon);
        await Expect(page.Locator("#connection-lost")).ToBeHiddenAsync();

        proxy.Cut();
        await Expect(page.Locator("#connection-lost")).ToBeVisibleAsync(SoonVisible);

        proxy.Restore();
        await Expect(page.Locator("#connection-lost")).ToBeHiddenAsync(SoonHidden);
        await AddAsync(client, "BACK", [1.5]);
        await Expect(SeriesRow(page, "BACK").Locator("td")).ToHaveTextAsync("1", Soon);
    }

    /// <summary>
    /// 2,000 followed symbols: the feed table is whole, without errors, on every load; the time from navigation to the
    /// whole table is reported (not asserted), and with <c>TRADESTAT_SCREENSHOTS</c> set to a folder both views are
    /// photographed there.
    /// </summary>
    [Test]
    public async Task Feed_table_of_2000_symbols_is_whole_on_every_load()
    {
        const int Symbols = 2_000;
        var market = FakeMarket.Create(listed: Symbols, trading: Symbols, tradesPerSymbol: 5, seed: 2000);
        await using var feed = await FeedUnderTest.StartAsync(market, TimeSpan.FromSeconds(90));
        var (exchange, service) = (feed.Exchange, feed.Service);
        using var client = service.CreateClient();
        exchange.PublishAll();
        await service.UntilAsync(async () => await CountedAsync(client, market.TradingSymbols[^1]) == 5, "every trade counted", TimeSpan.FromSeconds(90));

        var times = new List<double>();
        var parts = new List<string>();
        for (var load = 0; load < 5; load++)
        {
            await using var watched = await WatchedPage.OpenAsync(_browser!, service.BaseAddress);
            await watched.Page.GotoAsync("/#/feed");
            await Expect(watched.Page.Locator("#feed-table tbody tr")).ToHaveCountAsync(Symbols, new() { Timeout = 30_000 });
            // The table's mark, and on the way to it (-1 for a mark the page does not set): the page ready, the snapshot parsed.
            var marks = await watched.Page.EvaluateAsync<double[]>(
                "() => [performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd, ...['tradestat:feed-snapshot', 'tradestat:feed-table'].map(n => performance.getEntriesByName(n)[0]?.startTime ?? -1)]");
            times.Add(marks[2]);
            parts.Add(string.Join("/", marks.Select(t => t.ToString("F0", System.Globalization.CultureInfo.InvariantCulture))));
            watched.Errors.Should().BeEmpty();
            watched.ForeignRequests.Should().BeEmpty();
        }

        times.Sort();
        await TestContext.Out.WriteLineAsync(
            $"navigation to the whole feed table of {Symbols} symbols: median {times[times.Count / 2]:F0} ms, each {string.Join(", ", times.Select(t => t.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))} ms; "
            + $"page ready/snapshot parsed/table whole, in load order: {string.Join(", ", parts)} ms");

        if (Environment.GetEnvironmentVariable("TRADESTAT_SCREENSHOTS") is { Length: > 0 } folder)
        {
            await ScreenshotsAsync(client, service.BaseAddress, market.TradingSymbols[7], folder);
        }
    }

    private async Task ScreenshotsAsync(HttpClient client, Uri address, string feedSymbol, string folder)
    {
        var random = new Random(1);
        var walk = 100.0;
        foreach (var symbol in new[] { "AAPL", "BTC-USD", "EURUSD", "MSFT" })
        {
            for (var batch = 0; batch < 30; batch++)
            {
                var values = new double[10_000];
                for (var i = 0; i < values.Length; i++)
                {
                    walk = Math.Max(1, walk + ((random.NextDouble() - 0.5) * 0.4));
                    values[i] = Math.Round(walk, 2);
                }

                await AddAsync(client, symbol, values);
            }
        }

        await using var watched = await WatchedPage.OpenAsync(_browser!, address);
        var page = watched.Page;
        await page.GotoAsync("/#/series/AAPL");
        await Expect(page.Locator("#series-chart canvas").First).ToBeVisibleAsync(SoonVisible);
        await Expect(page.Locator("#series-chart-note")).ToContainTextAsync("buckets", new() { Timeout = 15_000 });
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "dashboard-series.png"), FullPage = true });

        await page.GotoAsync("/#/feed/" + Uri.EscapeDataString(feedSymbol));
        await Expect(page.Locator("#feed-detail-title")).ToHaveTextAsync(feedSymbol, Soon);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "dashboard-feed.png") });
    }

    /// <summary>The stats table shows, for every k, the numbers <c>/stats/</c> answers, as the API wrote them.</summary>
    private static async Task ExpectStatsAsync(IPage page, HttpClient client, string symbol)
    {
        var rows = page.Locator("#series-stats tbody tr");
        await Expect(rows).ToHaveCountAsync(8);
        for (var k = 1; k <= 8; k++)
        {
            var api = RawJson.Members(await client.GetStringAsync($"/stats/?symbol={symbol}&k={k}"));
            await Expect(rows.Nth(k - 1).Locator("td")).ToHaveTextAsync(
                [api["count"], api["min"], api["max"], api["last"], api["avg"], api["var"]], new() { Timeout = 15_000 });
        }
    }

    private static ILocator SeriesRow(IPage page, string symbol) =>
        page.Locator("#series-table tbody tr").Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = symbol, Exact = true }) });

    private static ILocator FeedRow(IPage page, string symbol) =>
        page.Locator("#feed-table tbody tr").Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = symbol, Exact = true }) });

    private static async Task AddAsync(HttpClient client, string symbol, double[] values)
    {
        using var answer = await client.PostAsync("/add_batch/", new StringContent(JsonSerializer.Serialize(new { symbol, values }), Encoding.UTF8, "application/json"));
        answer.EnsureSuccessStatusCode();
    }

    private static async Task<int> HistoryCountAsync(HttpClient client, string symbol)
    {
        using var doc = JsonDocument.Parse(await client.GetStringAsync("/dashboard/feed/history?symbol=" + Uri.EscapeDataString(symbol)));
        return doc.RootElement.GetProperty("t").GetArrayLength();
    }

    private static Task<int> SidewaysOverflowAsync(IPage page) =>
        page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");

    private static async Task<long> CountedAsync(HttpClient client, string symbol)
    {
        using var doc = JsonDocument.Parse(await client.GetStringAsync("/" + Uri.EscapeDataString(symbol)));
        return doc.RootElement.GetProperty("count").GetInt64();
    }

    /// <summary><paramref name="exchangeInfo"/> with one more symbol, <paramref name="name"/>, listed as trading (no trades).</summary>
    internal static byte[] WithListedSymbol(byte[] exchangeInfo, string name)
    {
        var root = JsonNode.Parse(exchangeInfo)!;
        var symbols = root["symbols"]!.AsArray();
        var entry = symbols[0]!.DeepClone();
        entry["symbol"] = name;
        entry["status"] = "TRADING";
        symbols.Add(entry);
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    /// <summary>The built service with the feed on against a fake exchange of a market, once every trading symbol is subscribed.</summary>
    private sealed class FeedUnderTest : IAsyncDisposable
    {
        private FeedUnderTest(FakeBinanceExchange exchange, ServiceProcess service)
        {
            Exchange = exchange;
            Service = service;
        }

        public FakeBinanceExchange Exchange { get; }

        public ServiceProcess Service { get; }

        public static async Task<FeedUnderTest> StartAsync(FakeMarket market, TimeSpan subscribedWithin)
        {
            var exchange = new FakeBinanceExchange(market) { MalformedEvery = 0, IgnoreFirstSubscribe = false };
            ServiceProcess? service = null;
            try
            {
                await exchange.StartAsync();
                service = await ServiceProcess.StartAsync("Production",
                    "--Binance:Enabled=true", $"--Binance:RestBaseUrl={exchange.RestBaseUrl}", $"--Binance:StreamBaseUrl={exchange.StreamBaseUrl}");
                await service.UntilAsync(() => Task.FromResult(exchange.AllRecordedStreamsSubscribed), "every trading symbol subscribed", subscribedWithin);
                return new FeedUnderTest(exchange, service);
            }
            catch
            {
                if (service is not null)
                {
                    await service.DisposeAsync();
                }

                await exchange.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Service.DisposeAsync();
            await Exchange.DisposeAsync();
        }
    }
}
