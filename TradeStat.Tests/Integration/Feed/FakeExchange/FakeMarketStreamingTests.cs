using System.Text.Json;
using TradeStat.Tests.Fakes;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Integration.Feed.FakeExchange;

/// <summary>
/// <see cref="FakeMarket"/>: what it generates, and a market of thousands of listed and hundreds of trading symbols
/// streamed by the fake to two connections of about a thousand streams each, every trade published after the
/// subscription delivered exactly once, then every connection dropped at once.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class FakeMarketStreamingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Test]
    public void A_market_lists_distinct_symbols_with_a_realistic_status_mix_and_exact_stream_lines()
    {
        var market = FakeMarket.Create(listed: 400, trading: 60, tradesPerSymbol: 50, seed: 9);
        FakeMarket.Create(listed: 400, trading: 60, tradesPerSymbol: 50, seed: 9).ExchangeInfo.Should().Equal(market.ExchangeInfo, "the same arguments give the same market");

        using var doc = JsonDocument.Parse(market.ExchangeInfo);
        var entries = doc.RootElement.GetProperty("symbols").EnumerateArray().ToArray();
        entries.Should().HaveCount(400);
        entries.Select(e => e.GetProperty("symbol").GetString()).Should().OnlyHaveUniqueItems().And.Equal(market.Symbols);
        foreach (var e in entries)
        {
            var symbol = e.GetProperty("symbol").GetString()!;
            var quote = e.GetProperty("quoteAsset").GetString()!;
            var baseAsset = e.GetProperty("baseAsset").GetString()!;
            quote.Should().BeOneOf("USDT", "BTC");
            symbol.Should().Be(baseAsset + quote);
            baseAsset.Should().MatchRegex("^[A-Z]{3,8}$");
            e.GetProperty("status").GetString().Should().Be(market.Status[symbol]);
            e.GetProperty("permissionSets")[0][0].GetString().Should().Be("SPOT");
            e.TryGetProperty("permissions", out _).Should().BeTrue();
        }

        var statuses = market.Status.Values.GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
        statuses["TRADING"].Should().Be(60);
        statuses["BREAK"].Should().BeGreaterThan(statuses.GetValueOrDefault("HALT") + statuses.GetValueOrDefault("END_OF_DAY"), "most idle symbols are in BREAK");
        statuses.Keys.Should().Contain(["HALT", "END_OF_DAY"]);
        market.TradingSymbols.Should().OnlyContain(s => market.Status[s] == "TRADING");

        market.Trades.Should().HaveCount(60 * 50);
        foreach (var t in market.Trades)
        {
            using var line = JsonDocument.Parse(t.Line);
            line.RootElement.GetProperty("stream").GetString().Should().Be(FakeMarket.StreamOf(t.Symbol));
            var data = line.RootElement.GetProperty("data");
            data.EnumerateObject().Select(p => p.Name).Should().Equal("e", "E", "s", "t", "p", "q", "T", "m", "M");
            data.GetProperty("s").GetString().Should().Be(t.Symbol);
            data.GetProperty("t").GetInt64().Should().Be(t.Id);
            data.GetProperty("p").GetString().Should().Be(t.Price).And.MatchRegex(@"^\d+\.\d{8}$");
            data.GetProperty("q").GetString().Should().Be(t.Qty);
            data.GetProperty("T").GetInt64().Should().Be(t.Time);
            data.GetProperty("m").GetBoolean().Should().Be(t.BuyerMaker);
            new RecordedTrade(t.Symbol, t.Id, t.Price, t.Line).Should().Be(t, "time, side and quantity default to the line's");
        }

        // Prices and times repeat often enough for aggregates to form.
        var repeats = market.Trades.Zip(market.Trades.Skip(1)).Count(p => p.First.Symbol == p.Second.Symbol && p.First.Price == p.Second.Price
            && p.First.Time == p.Second.Time && p.First.BuyerMaker == p.Second.BuyerMaker);
        repeats.Should().BeGreaterThan(market.Trades.Length / 20);
    }

    [Test]
    public async Task Two_connections_of_a_thousand_streams_get_every_trade_once_and_DropAll_ends_both()
    {
        var market = FakeMarket.Create(listed: 3000, trading: 600, tradesPerSymbol: 12, seed: 17);
        await using var exchange = new FakeBinanceExchange(market, []) { IgnoreFirstSubscribe = false, MalformedEvery = 0 };
        await exchange.StartAsync();
        var streams = market.Streams.ToArray();

        // One trade of every symbol before anyone subscribes: it must reach no one.
        exchange.Publish(1);

        await using var first = await SubscribedClientAsync(exchange, streams[..1000]);
        await using var second = await SubscribedClientAsync(exchange, streams[1000..2000]);
        exchange.SubscriptionCount(streams[0]).Should().Be(1);
        exchange.IsSubscribed(streams[2500]).Should().BeFalse();

        var publishing = exchange.PublishAsync(step: 2, interval: TimeSpan.FromMilliseconds(5));
        var expectedFirst = Expected(market, streams[..1000]);
        var expectedSecond = Expected(market, streams[1000..2000]);
        await Eventually.UntilAsync(() => exchange.TapeFinished && first.TradeCount >= expectedFirst.Count && second.TradeCount >= expectedSecond.Count,
            Timeout, "every trade delivered");
        await publishing;

        using (new FluentAssertions.Execution.AssertionScope())
        {
            Check(first.Trades, expectedFirst, "first connection");
            Check(second.Trades, expectedSecond, "second connection");
            exchange.TradesDelivered.Should().Be(expectedFirst.Count + expectedSecond.Count, "nothing else was sent to anyone");
            exchange.RateLimitCloses.Should().Be(0);
            exchange.MaxClientMessagesPerSecond.Should().BeLessThanOrEqualTo(5);
        }

        exchange.DropAll().Should().Be(2);
        (await Task.WhenAll(first.Ended, second.Ended).WaitAsync(Timeout).ContinueWith(t => t.IsCompletedSuccessfully)).Should().BeTrue();
        await Eventually.UntilAsync(() => exchange.OpenConnections == 0, Timeout, "every connection gone");
        exchange.Connections.Should().Be(2);
    }

    // As many streams as fit an 8,000-character URL, the rest in SUBSCRIBE frames under 4 KB, then confirmed.
    private static async Task<StreamClient> SubscribedClientAsync(FakeBinanceExchange exchange, string[] streams)
    {
        var prefix = new Uri(exchange.StreamBaseUrl, "/stream?streams=").ToString().Length;
        var inUrl = 0;
        for (var length = prefix; inUrl < streams.Length && length + streams[inUrl].Length + 1 <= 8000; inUrl++)
        {
            length += streams[inUrl].Length + 1;
        }

        var client = await StreamClient.ConnectAsync(exchange, streams[..inUrl]);
        await client.SubscribeAsync(streams[inUrl..]);
        (await client.ListAsync()).Should().BeEquivalentTo(streams);
        return client;
    }

    // (symbol, id) of every trade of the symbols on these streams, except the one published before the subscription.
    private static HashSet<(string, long)> Expected(FakeMarket market, string[] streams)
    {
        var symbols = streams.Select(s => s[..s.IndexOf('@', StringComparison.Ordinal)].ToUpperInvariant()).ToHashSet(StringComparer.Ordinal);
        return market.Trades.Where(t => symbols.Contains(t.Symbol)).GroupBy(t => t.Symbol)
            .SelectMany(g => g.OrderBy(t => t.Id).Skip(1)).Select(t => (t.Symbol, t.Id)).ToHashSet();
    }

    private static void Check((string Symbol, long Id)[] received, HashSet<(string, long)> expected, string which)
    {
        expected.Should().NotBeEmpty();
        received.Should().OnlyHaveUniqueItems($"the {which} gets each trade once");
        received.ToHashSet().SetEquals(expected).Should().BeTrue($"the {which} gets exactly the trades of its streams published after it subscribed");
        foreach (var group in received.GroupBy(t => t.Symbol))
        {
            group.Select(t => t.Id).Should().BeInAscendingOrder($"{group.Key} on the {which} arrives in id order");
        }
    }
}
