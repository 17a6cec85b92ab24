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
            Written("UNSUBSCRIBE", batch).Should().BeLessThanOrEqualTo(ConnectionPlanner.MaxRequestBytes);
            batch.Count.Should().BeLessThanOrEqualTo(250);
        }
    }

    [Test]
    public void Subscribe_batches_of_non_ascii_names_fit_as_written([Range(1, 25)] int seed)
    {
        // Binance lists symbols in Chinese characters too (the recorded snapshots hold none): the 2024 names, some with
        // their base asset written in CJK characters, which the request writer escapes as \uXXXX (6 bytes, not 3).
        var random = new Random(seed);
        var symbols = ReadSymbols(Recordings.ExchangeInfo2024)
            .Select(s => random.Next(2) == 0 ? s : Cjk(random, random.Next(1, 8)) + s[^Math.Min(4, s.Length)..])
            .ToArray();
        var options = new BinanceOptions { SubscribeBatchSize = random.Next(2) == 0 ? 250 : random.Next(1, 251) };
        var streams = symbols.Select(ConnectionPlanner.StreamName).ToArray();

        AssertBatches(streams, ConnectionPlanner.Batches(streams, options), options);
    }

    [Test]
    public void Subscribe_batches_of_random_unicode_names_fit_as_written([Range(1, 40)] int seed)
    {
        var random = new Random(seed);
        var streams = Enumerable.Range(0, random.Next(1, 3000))
            .Select(_ => ConnectionPlanner.StreamName(RandomSymbol(random)))
            .ToArray();
        var options = new BinanceOptions { SubscribeBatchSize = random.Next(2) == 0 ? 250 : random.Next(1, 251) };

        AssertBatches(streams, ConnectionPlanner.Batches(streams, options), options);
    }

    [Test]
    public void The_plan_of_non_ascii_symbols_keeps_every_request_and_url_within_bounds()
    {
        var random = new Random(7);
        var symbols = Enumerable.Range(0, 2500).Select(i => Cjk(random, random.Next(1, 16)) + i).ToArray();
        var options = new BinanceOptions();
        var plan = ConnectionPlanner.Plan(symbols, options);

        plan.Should().HaveCount(3);
        plan.Should().OnlyContain(p => p.Url.AbsoluteUri.Length <= options.MaxUrlLength);
        plan.SelectMany(p => p.Streams).Should().Equal(symbols.Select(ConnectionPlanner.StreamName));
        foreach (var p in plan)
        {
            AssertBatches(p.Streams.Skip(p.UrlStreams).ToArray(), p.SubscribeBatches, options);
        }
    }

    [Test]
    public void The_request_writer_writes_what_the_server_reads()
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        SubscriptionRequest.Write(output, "SUBSCRIBE", ["btcusdt@trade", "币安usdt@trade"], 42);
        var text = System.Text.Encoding.UTF8.GetString(output.WrittenSpan);
        text.Should().Be("""{"method":"SUBSCRIBE","params":["btcusdt@trade","\u5E01\u5B89usdt@trade"],"id":42}""");

        output.Clear();
        SubscriptionRequest.Write(output, "LIST_SUBSCRIPTIONS", null, 3);
        System.Text.Encoding.UTF8.GetString(output.WrittenSpan).Should().Be("""{"method":"LIST_SUBSCRIPTIONS","id":3}""");
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

    // Every stream in exactly one batch, in order; each batch within the count and, as written with the largest id, the
    // byte limit; and no batch closed early (the next stream would not have fitted), so the sizing is exact.
    private static void AssertBatches(IReadOnlyList<string> streams, IReadOnlyList<IReadOnlyList<string>> batches, BinanceOptions options)
    {
        batches.SelectMany(b => b).Should().Equal(streams);
        for (var i = 0; i < batches.Count; i++)
        {
            var batch = batches[i];
            batch.Should().NotBeEmpty();
            batch.Count.Should().BeLessThanOrEqualTo(options.SubscribeBatchSize);
            Written("UNSUBSCRIBE", batch).Should().BeLessThanOrEqualTo(ConnectionPlanner.MaxRequestBytes);
            Written("SUBSCRIBE", batch).Should().BeLessThanOrEqualTo(ConnectionPlanner.MaxRequestBytes);
            if (i + 1 < batches.Count && batch.Count < options.SubscribeBatchSize)
            {
                Written("UNSUBSCRIBE", [.. batch, batches[i + 1][0]]).Should().BeGreaterThan(ConnectionPlanner.MaxRequestBytes, $"batch {i} was closed early");
            }
        }
    }

    private static int Written(string method, IReadOnlyList<string> batch)
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        SubscriptionRequest.Write(output, method, batch, long.MaxValue);
        return output.WrittenCount;
    }

    private static string Cjk(Random random, int length) =>
        new([.. Enumerable.Range(0, length).Select(_ => (char)random.Next(0x4E00, 0x9FA6))]);

    // Valid Unicode scalars of every UTF-8 length, ASCII the writer escapes included, up to MaxSymbolBytes in UTF-8.
    private static string RandomSymbol(Random random)
    {
        var text = new System.Text.StringBuilder();
        var bytes = 0;
        for (var n = random.Next(1, 30); n > 0; n--)
        {
            var rune = random.Next(6) switch
            {
                0 => new System.Text.Rune("\"<>&'+`\\ ABC"[random.Next(12)]),
                1 => new System.Text.Rune(random.Next('A', 'Z' + 1)),
                2 => new System.Text.Rune(random.Next(0x80, 0x800)),
                3 => new System.Text.Rune(random.Next(0xE000, 0x10000)),
                4 => new System.Text.Rune(random.Next(0x4E00, 0x9FA6)),
                _ => new System.Text.Rune(random.Next(0x10000, 0x110000)),
            };
            if (bytes + rune.Utf8SequenceLength > TradeMessageParser.MaxSymbolBytes)
            {
                break;
            }

            text.Append(rune.ToString());
            bytes += rune.Utf8SequenceLength;
        }

        return text.Length == 0 ? "X" : text.ToString();
    }

    private static IReadOnlyList<string> ReadSymbols(string file) =>
        ExchangeInfoReader.ReadSymbols(Recordings.Bytes(file), NullLogger.Instance);
}
