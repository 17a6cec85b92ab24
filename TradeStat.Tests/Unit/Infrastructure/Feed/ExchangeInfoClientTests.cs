using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using TradeStat.Infrastructure.Feed;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Unit.Infrastructure.Feed;

/// <summary>What the feed takes from exchangeInfo: every symbol but the BREAK ones, asked for with every permission.</summary>
[TestFixture]
[Category("Unit")]
public sealed class ExchangeInfoClientTests
{
    // enums.md, "Account and Symbol Permissions".
    private static readonly string[] EveryPermission =
    [
        "SPOT", "MARGIN", "LEVERAGED",
        .. Enumerable.Range(2, 24).Select(i => $"TRD_GRP_{i:D3}"),
    ];

    [Test]
    public async Task Symbols_of_every_status_but_BREAK_are_tradable_and_a_missing_status_is_TRADING()
    {
        var json = """
            {"symbols":[
              {"symbol":"AAA","status":"TRADING"},{"symbol":"BBB","status":"BREAK"},{"symbol":"CCC","status":"HALT"},
              {"symbol":"DDD"},{"symbol":"EEE","status":"END_OF_DAY"},{"symbol":"FFF","status":"AUCTION_MATCH"},
              {"symbol":"GGG","status":42}
            ]}
            """;
        var (client, _) = Create(json);

        (await client.GetSymbolsAsync(CancellationToken.None)).Should().Equal("AAA", "CCC", "DDD", "EEE", "FFF", "GGG");
    }

    [Test]
    public async Task The_2022_snapshot_has_1425_tradable_symbols_and_536_left_out()
    {
        var (client, _) = Create(Encoding.UTF8.GetString(Recordings.Bytes(Recordings.ExchangeInfo2022)));

        var listing = await client.GetListingAsync(CancellationToken.None);

        listing.Symbols.Should().HaveCount(1961);
        listing.Tradable.Should().HaveCount(1425).And.Contain("BTCUSDT").And.OnlyHaveUniqueItems();
        listing.LeftOut.Should().Be(536);
        listing.Symbols.Where(s => s.Status == "BREAK").Select(s => s.Symbol).Should().NotIntersectWith(listing.Tradable);
    }

    [Test]
    public async Task A_file_without_statuses_is_all_tradable()
    {
        var options = new BinanceOptions { ExchangeInfoFile = Recordings.PathOf(Recordings.ExchangeInfo2024) };
        using var http = new HttpClient(new Answer("{}"));
        var client = new ExchangeInfoClient(http, options, NullLogger<ExchangeInfoClient>.Instance);

        (await client.GetSymbolsAsync(CancellationToken.None)).Should().HaveCount(1248);
        ExchangeInfoReader.ReadListing("""{"symbols":[{"symbol":"A"},{"symbol":"B"}]}"""u8, NullLogger.Instance)
            .Symbols.Should().Equal(new ListedSymbol("A", "TRADING"), new ListedSymbol("B", "TRADING"));
    }

    [Test]
    public async Task ExchangeInfo_is_asked_with_every_permission_listed_and_url_encoded()
    {
        var (client, handler) = Create("""{"symbols":[{"symbol":"AAA"}]}""");

        await client.GetSymbolsAsync(CancellationToken.None);

        var uri = handler.LastUri!;
        uri.AbsolutePath.Should().Be("/api/v3/exchangeInfo");
        uri.Query.Should().StartWith("?permissions=%5B%22SPOT%22%2C%22MARGIN%22").And.NotContain("\"").And.NotContain("[");
        var value = Uri.UnescapeDataString(uri.Query["?permissions=".Length..]);
        JsonSerializer.Deserialize<string[]>(value).Should().Equal(EveryPermission);
    }

    [Test]
    public async Task The_permissions_asked_follow_the_option_and_none_leaves_Binance_default()
    {
        var (client, handler) = Create("""{"symbols":[{"symbol":"AAA"}]}""", new BinanceOptions { ExchangeInfoPermissions = "SPOT, TRD_GRP_004" });
        await client.GetSymbolsAsync(CancellationToken.None);
        Uri.UnescapeDataString(handler.LastUri!.Query).Should().Be("""?permissions=["SPOT","TRD_GRP_004"]""");

        (client, handler) = Create("""{"symbols":[{"symbol":"AAA"}]}""", new BinanceOptions { ExchangeInfoPermissions = "" });
        await client.GetSymbolsAsync(CancellationToken.None);
        handler.LastUri!.Query.Should().BeEmpty();
    }

    [Test]
    public void Defaults_ask_for_every_permission_and_refresh_every_5_minutes()
    {
        var options = new BinanceOptions();
        options.ExchangeInfoPermissions.Split(',').Should().Equal(EveryPermission);
        options.SymbolRefreshInterval.Should().Be(TimeSpan.FromMinutes(5));
        options.MaxResubscribes.Should().Be(3);
        options.MaxRequestsPerSecond.Should().Be(3);
    }

    private static (ExchangeInfoClient Client, Answer Handler) Create(string json, BinanceOptions? options = null)
    {
        var handler = new Answer(json);
        var http = new HttpClient(handler);
        options ??= new BinanceOptions();
        options.RestBaseUrl = new Uri("http://127.0.0.1:1");
        return (new ExchangeInfoClient(http, options, NullLogger<ExchangeInfoClient>.Instance), handler);
    }

    /// <summary>Answers every request with the same JSON and keeps the last URI asked.</summary>
    private sealed class Answer(string json) : HttpMessageHandler
    {
        public Uri? LastUri { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            LastUri = request.RequestUri;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") });
        }
    }
}
