using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TradeStat.Infrastructure.Feed;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Unit.Infrastructure.Feed;

/// <summary>
/// The live universe through the whole service against <see cref="LoopbackBinanceStub"/>: symbols of every status but
/// BREAK are subscribed and listed; one that turns BREAK leaves both, its statistics stay readable, and it comes back
/// with them when it trades again.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class FeedUniverseRefreshTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Test]
    public async Task Break_symbols_are_left_out_and_a_symbol_back_from_BREAK_keeps_its_statistics()
    {
        await using var stub = new LoopbackBinanceStub
        {
            ExchangeInfo = Info(("AAA", "TRADING"), ("BBB", "BREAK"), ("CCC", "HALT"), ("OLD", "TRADING"), ("EOD", "END_OF_DAY")),
        };
        await stub.StartAsync();
        await using var service = new TradeStatFactory(
            ("Binance:Enabled", "true"),
            ("Binance:RestBaseUrl", stub.RestBaseUrl.ToString()),
            ("Binance:StreamBaseUrl", stub.StreamBaseUrl.ToString()),
            ("Binance:SymbolRefreshInterval", "00:00:01"),
            ("TradeStat:RequestLogging", "false"));
        using var client = service.CreateApiClient();
        var book = service.Services.GetRequiredService<FeedBook>();

        await WaitUntil(() => new[] { "aaa@trade", "ccc@trade", "old@trade", "eod@trade" }.All(stub.IsSubscribed), "tradable symbols subscribed");
        (await SymbolsAsync(client)).Should().Equal("AAA", "CCC", "EOD", "OLD");
        stub.IsSubscribed("bbb@trade").Should().BeFalse("a BREAK symbol does not trade");
        (await client.GetAsync("/BBB")).StatusCode.Should().Be(HttpStatusCode.NotFound, "a BREAK symbol never seen trading is unknown");
        stub.ExchangeInfoQuery.Should().StartWith("?permissions=");
        await stub.PublishAsync("old@trade", Trade("OLD", 1, "2.5"));
        await WaitUntil(() => book.Get("OLD")?.Count == 1, "OLD trade counted");
        var old = book.Universe.Find("OLD"u8);

        // OLD turns BREAK, BBB trades again.
        stub.ExchangeInfo = Info(("AAA", "TRADING"), ("BBB", "TRADING"), ("CCC", "HALT"), ("OLD", "BREAK"), ("EOD", "END_OF_DAY"));
        await WaitUntil(() => stub.IsSubscribed("bbb@trade") && !stub.IsSubscribed("old@trade"), "BBB subscribed, OLD unsubscribed");
        await WaitUntil(() => book.Symbols.SequenceEqual(["AAA", "BBB", "CCC", "EOD"]), "OLD no longer listed");
        (await SymbolsAsync(client)).Should().Equal("AAA", "BBB", "CCC", "EOD");
        using (var response = await client.GetAsync("/old"))
        {
            response.StatusCode.Should().Be(HttpStatusCode.OK, "the statistics of a symbol that left stay readable");
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            doc.RootElement.GetProperty("count").GetInt64().Should().Be(1);
        }

        // OLD trades again: subscribed again, counting on in the same state.
        stub.ExchangeInfo = Info(("AAA", "TRADING"), ("BBB", "TRADING"), ("CCC", "HALT"), ("OLD", "TRADING"), ("EOD", "END_OF_DAY"));
        await WaitUntil(() => stub.IsSubscribed("old@trade"), "OLD subscribed again");
        await WaitUntil(() => book.Symbols.Contains("OLD"), "OLD listed again");
        await stub.PublishAsync("old@trade", Trade("OLD", 2, "3.5"));
        await WaitUntil(() => book.Get("OLD")?.Count == 2, "OLD counts on");
        book.Universe.Find("OLD"u8).Should().BeSameAs(old);
        book.Get("OLD")!.Value.MedianHalfUnits.Should().Be(600_000_000, "the median of 2.5 and 3.5, in half units");
    }

    private static byte[] Info(params (string Symbol, string Status)[] symbols) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { symbols = symbols.Select(s => new { symbol = s.Symbol, status = s.Status }) }));

    private static string Trade(string symbol, long id, string price) =>
        $$$"""{"stream":"{{{symbol.ToLowerInvariant()}}}@trade","data":{"e":"trade","E":1,"s":"{{{symbol}}}","t":{{{id}}},"p":"{{{price}}}","q":"1","T":1,"m":true,"M":true}}""";

    private static async Task<string[]> SymbolsAsync(HttpClient client) =>
        JsonSerializer.Deserialize<string[]>(await client.GetStringAsync("/symbols"))!;

    private static Task WaitUntil(Func<bool> condition, string what) => Eventually.UntilAsync(condition, Timeout, what);
}
