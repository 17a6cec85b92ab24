using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TradeStat.Domain.Feed;
using TradeStat.Infrastructure.Feed;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Integration.Feed;

/// <summary>Replay mode end to end: the recordings through the feed pipeline, read back through GET /symbols and GET /{symbol}.</summary>
[TestFixture]
[Category("Integration")]
public sealed class FeedReplayApiTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private TradeStatFactory _factory = null!;
    private HttpClient _client = null!;
    private (string Symbol, long Id, string Price)[] _btc = null!;

    [OneTimeSetUp]
    public async Task StartService()
    {
        _btc = Recordings.Trades(Recordings.BtcUsdt);
        _factory = new TradeStatFactory(
            ("Binance:Enabled", "true"),
            ("Binance:ReplayFile", Recordings.PathOf(Recordings.BtcUsdt)),
            ("Binance:ExchangeInfoFile", Recordings.PathOf(Recordings.ExchangeInfo2022)));
        _client = _factory.CreateApiClient();
        await _factory.Services.GetRequiredService<BinanceFeedService>().ReplayCompleted.WaitAsync(Timeout);
    }

    [OneTimeTearDown]
    public async Task StopService()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    [Test]
    public async Task Symbols_are_the_tradable_exchange_info_symbols_sorted()
    {
        using var response = await _client.GetAsync("/symbols");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/json");
        var symbols = JsonSerializer.Deserialize<string[]>(await response.Content.ReadAsStringAsync())!;
        symbols.Should().HaveCount(1961 - 536, "the 536 BREAK symbols of the snapshot do not trade").And.BeInAscendingOrder(StringComparer.Ordinal);
        symbols.Should().BeEquivalentTo(Recordings.Symbols(Recordings.ExchangeInfo2022, exceptStatus: "BREAK"));
    }

    [TestCase("/BTCUSDT")]
    [TestCase("/btcusdt")]
    [TestCase("/BtcUsdt/")]
    public async Task Symbol_has_count_exact_median_and_last(string path)
    {
        using var response = await _client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, body);

        var median = Recordings.SortedMedian(_btc.Select(t => t.Price));
        var last = decimal.Parse(_btc[^1].Price, System.Globalization.CultureInfo.InvariantCulture);
        body.Should().Be(
            $"{{\"symbol\":\"BTCUSDT\",\"count\":{_btc.Length},\"median\":{Plain(median)},\"last\":{Plain(last)},\"exact\":true,\"missed\":0,\"filling\":false}}");
    }

    [Test]
    public async Task Listed_symbol_without_trades_has_count_0_and_null_prices()
    {
        using var response = await _client.GetAsync("/ETHBTC");
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, body);
        body.Should().Be("{\"symbol\":\"ETHBTC\",\"count\":0,\"median\":null,\"last\":null,\"exact\":true,\"missed\":0,\"filling\":false}");
    }

    [TestCase("/NOTLISTED")]
    [TestCase("/BTCUSDTX")]
    public async Task Unknown_symbol_is_a_404_problem(string path)
    {
        using var response = await _client.GetAsync(path);
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.NotFound);
        problem.GetProperty("title").GetString().Should().Be("Symbol not found");
    }

    [Test]
    public async Task Existing_routes_keep_precedence()
    {
        using (var r = await _client.GetAsync("/health/live"))
        {
            r.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using (var r = await _client.GetAsync("/add_batch/"))
        {
            await r.ShouldBeProblemAsync(HttpStatusCode.MethodNotAllowed);
            r.Content.Headers.Allow.Should().Contain("POST");
        }

        using (var r = await _client.GetAsync("/stats/"))
        {
            await r.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        }

        (await _client.AddBatchAsync(TradeStatApi.UniqueSymbol(), [1, 2, 3])).Should().Be(3);
    }

    // Shortest exact decimal text (no trailing zeros), as the API writes it.
    private static string Plain(decimal d) => ScaledPrice.FormatHalf((long)(d * 2 * ScaledPrice.UnitsPerOne));
}

/// <summary>Replay without an exchangeInfo file: the universe is the symbols of the recording.</summary>
[TestFixture]
[Category("Integration")]
public sealed class FeedReplayWithoutExchangeInfoTests
{
    [Test]
    public async Task Universe_is_the_symbols_seen_and_counts_match()
    {
        var file = Path.Combine(Path.GetTempPath(), $"tradestat-replay-{Guid.NewGuid():N}.jsonl");
        var lines = Recordings.Lines(Recordings.BtcUsdt).Concat(Recordings.Lines(Recordings.EthUsdt))
            .Append("{not json").Append("{\"stream\":\"x@trade\",\"data\":{\"e\":\"trade\",\"s\":\"BTCUSDT\"}}");
        await File.WriteAllLinesAsync(file, lines);
        try
        {
            await using var factory = new TradeStatFactory(("Binance:Enabled", "true"), ("Binance:ReplayFile", file));
            using var client = factory.CreateApiClient();
            await factory.Services.GetRequiredService<BinanceFeedService>().ReplayCompleted.WaitAsync(TimeSpan.FromSeconds(30));

            var symbols = JsonSerializer.Deserialize<string[]>(await client.GetStringAsync("/symbols"));
            symbols.Should().Equal("BTCUSDT", "ETHUSDT");
            using var eth = JsonDocument.Parse(await client.GetStringAsync("/ethusdt"));
            eth.RootElement.GetProperty("count").GetInt64().Should().Be(6106);
            eth.RootElement.GetProperty("median").GetDecimal()
                .Should().Be(Recordings.SortedMedian(Recordings.Trades(Recordings.EthUsdt).Select(t => t.Price)));
            factory.Services.GetRequiredService<FeedMetrics>().Malformed.Should().Be(2);
        }
        finally
        {
            File.Delete(file);
        }
    }
}

/// <summary>With the feed off (the default) the feed endpoints do not exist and nothing else changes.</summary>
[TestFixture]
[Category("Integration")]
public sealed class FeedDisabledTests
{
    [Test]
    public async Task Feed_paths_are_plain_404s()
    {
        await using var factory = new TradeStatFactory();
        using var client = factory.CreateApiClient();
        using var symbols = await client.GetAsync("/symbols");
        var problem = await symbols.ShouldBeProblemAsync(HttpStatusCode.NotFound);
        problem.GetProperty("detail").GetString().Should().Contain("no endpoint");
        using var btc = await client.GetAsync("/BTCUSDT");
        await btc.ShouldBeProblemAsync(HttpStatusCode.NotFound);
        factory.Services.GetRequiredService<FeedBook>().IsLoaded.Should().BeFalse();
    }
}

/// <summary>Feed options are validated when the service starts.</summary>
[TestFixture]
[Category("Integration")]
public sealed class FeedOptionsTests
{
    [TestCase("Binance:MaxStreamsPerConnection", "2000", "MaxStreamsPerConnection")]
    [TestCase("Binance:StreamBaseUrl", "http://example.com", "StreamBaseUrl")]
    [TestCase("Binance:ConnectionLifetime", "1.00:00:00", "ConnectionLifetime")]
    [TestCase("Binance:ReplayFile", "/no/such/file.jsonl", "ReplayFile")]
    [TestCase("Binance:SendInterval", "00:00:00.100", "SendInterval")]
    public async Task Invalid_settings_stop_the_start(string key, string value, string named)
    {
        await using var factory = new TradeStatFactory(("Binance:Enabled", "true"), (key, value));
        // Program logs the OptionsValidationException (naming the key) as fatal and exits; the factory sees no host.
        FluentActions.Invoking(() => factory.CreateClient()).Should().Throw<InvalidOperationException>(named);
    }
}
