using Microsoft.Extensions.Logging.Abstractions;
using TradeStat.Infrastructure.Feed;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Unit.Infrastructure.Feed;

[TestFixture]
[Category("Unit")]
public sealed class ConnectionPlannerTests
{
    [Test]
    public void The_1961_symbol_file_needs_2_connections_and_no_url_over_8000_characters()
    {
        var symbols = ReadSymbols(Recordings.ExchangeInfo2022);
        var plan = ConnectionPlanner.Plan(symbols, new BinanceOptions());

        plan.Should().HaveCount(2);
        plan.Sum(p => p.Streams.Count).Should().Be(1961);
        plan.Should().OnlyContain(p => p.Streams.Count <= 1024);
        plan.Should().OnlyContain(p => p.Url.AbsoluteUri.Length <= 8000);
        plan.Should().OnlyContain(p => p.SubscribeBatches.All(b => b.Count <= 250));
        plan.SelectMany(p => p.Streams).Should().OnlyHaveUniqueItems().And.Contain("btcusdt@trade");
        foreach (var p in plan)
        {
            var inUrl = p.Url.Query["?streams=".Length..].Split('/');
            inUrl.Length.Should().Be(p.UrlStreams);
            inUrl.Concat(p.SubscribeBatches.SelectMany(b => b)).Should().Equal(p.Streams);
        }
    }

    [Test]
    public void The_1248_symbol_file_fits_in_2_connections() =>
        ConnectionPlanner.Plan(ReadSymbols(Recordings.ExchangeInfo2024), new BinanceOptions()).Should().HaveCount(2);

    [TestCase(1, 1)]
    [TestCase(1024, 1)]
    [TestCase(1025, 2)]
    [TestCase(5000, 5)]
    public void Connections_are_ceil_of_n_over_max(int n, int connections)
    {
        var symbols = Enumerable.Range(0, n).Select(i => $"SYM{i}USDT").ToArray();
        var plan = ConnectionPlanner.Plan(symbols, new BinanceOptions());
        plan.Should().HaveCount(connections);
        plan.Should().OnlyContain(p => p.Url.AbsoluteUri.Length <= 8000);
    }

    [Test]
    public void Long_names_are_limited_by_url_length_not_count()
    {
        var symbols = Enumerable.Range(0, 1000).Select(i => $"VERYLONGSYMBOLNAME{i:D6}").ToArray();
        var options = new BinanceOptions { MaxUrlStreams = 1024, MaxUrlLength = 2000 };
        var plan = ConnectionPlanner.PlanConnection(ConnectionPlanner.Group(symbols, options)[0], options);
        plan.Url.AbsoluteUri.Length.Should().BeLessThanOrEqualTo(2000);
        plan.UrlStreams.Should().BeLessThan(1000).And.BeGreaterThan(0);
        (plan.UrlStreams + plan.SubscribeBatches.Sum(b => b.Count)).Should().Be(1000);
    }

    [Test]
    public void Subscribe_messages_stay_under_4_KB_whatever_the_name_lengths()
    {
        var options = new BinanceOptions { SubscribeBatchSize = 250 };
        var streams = Enumerable.Range(0, 2000).Select(i => $"{new string('x', 5 + (i % 40))}{i}@trade").ToArray();
        var batches = ConnectionPlanner.Batches(streams, options);
        batches.SelectMany(b => b).Should().Equal(streams);
        foreach (var batch in batches)
        {
            var json = System.Text.Json.JsonSerializer.Serialize(new { method = "UNSUBSCRIBE", @params = batch, id = long.MaxValue });
            json.Length.Should().BeLessThanOrEqualTo(ConnectionPlanner.MaxRequestBytes);
            batch.Count.Should().BeLessThanOrEqualTo(250);
        }
    }

    [Test]
    public void Exchange_info_entries_that_cannot_be_read_are_skipped()
    {
        var json = """{"symbols":[{"symbol":"AAA"},{"nosymbol":1},{"symbol":42},"junk",{"symbol":"BBB","status":"BREAK"}]}"""u8;
        ExchangeInfoReader.ReadSymbols(json, NullLogger.Instance).Should().Equal("AAA", "BBB");
    }

    [Test]
    public void Exchange_info_entries_with_unreadable_text_are_skipped_not_fatal()
    {
        // A lone surrogate escape is valid JSON but cannot become a string: GetString throws InvalidOperationException,
        // which nothing above the reader catches (the feed's start and every refresh would die on it).
        var json = """{"symbols":[{"symbol":"AAA"},{"symbol":"\ud800X"},{"symbol":"BBB"}]}"""u8;
        ExchangeInfoReader.ReadSymbols(json, NullLogger.Instance).Should().Equal("AAA", "BBB");
    }

    [Test]
    public void Historical_trades_with_unreadable_prices_are_skipped_not_fatal()
    {
        var json = """[{"id":1,"price":"\udc00"},{"id":2,"price":"2"}]"""u8.ToArray();
        TradeHistoryClient.Read(json, HistoryFormat.Trades, out var rows).Should().BeTrue();
        rows.Select(r => (r.FirstId, r.Price)).Should().Equal((2L, 200_000_000L));
    }

    [Test]
    public void Historical_trades_are_read_in_id_order()
    {
        var json = """[{"id":3,"price":"2.5","qty":"1"},{"id":1,"price":"1.00000000"},{"id":2},{"id":"x","price":"1"}]"""u8.ToArray();
        TradeHistoryClient.Read(json, HistoryFormat.Trades, out var rows).Should().BeTrue();
        rows.Select(r => (r.FirstId, r.Price)).Should().Equal((1L, 100_000_000L), (3L, 250_000_000L));
    }

    private static IReadOnlyList<string> ReadSymbols(string file) =>
        ExchangeInfoReader.ReadSymbols(Recordings.Bytes(file), NullLogger.Instance);
}
