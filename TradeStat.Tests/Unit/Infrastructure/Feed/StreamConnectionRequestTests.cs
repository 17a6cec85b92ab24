using Microsoft.Extensions.Logging.Abstractions;
using TradeStat.Infrastructure.Feed;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Unit.Infrastructure.Feed;

/// <summary>
/// The subscription requests of one <see cref="StreamConnection"/> against <see cref="LoopbackBinanceStub"/>: refusals
/// in Binance's flat form, streams that never show in LIST_SUBSCRIPTIONS, and the pace of the requests.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class StreamConnectionRequestTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [TestCase("""{"code":2,"msg":"Invalid request: too many parameters","id":4}""", true)]
    [TestCase("""{"id":4,"msg":"Unknown property","code":0}""", true)]
    [TestCase("""{"error":{"code":2,"msg":"Invalid request"},"id":3}""", true)]
    [TestCase("""{"result":null,"id":1}""", false)]
    [TestCase("""{"result":["btcusdt@trade"],"id":2}""", false)]
    public void Flat_and_nested_errors_are_refusals(string answer, bool refused) =>
        (StreamConnection.Refusal(System.Text.Encoding.UTF8.GetBytes(answer)) is not null).Should().Be(refused);

    [Test]
    public async Task A_stream_refused_with_a_flat_error_is_left_out_and_the_others_keep_delivering()
    {
        await using var stub = new LoopbackBinanceStub { Refused = { "badcoin@trade" } };
        await stub.StartAsync();

        // BADCOIN sits in the middle of a SUBSCRIBE batch: its refusal must not keep the rest of the batch out.
        var symbols = Enumerable.Range(0, 30).Select(i => $"SYM{i:D2}USDT").ToList();
        symbols.Insert(17, "BADCOIN");
        await using var client = new Client(stub, symbols, maxResubscribes: 1);
        client.Start();

        await client.Connection.Subscribed.WaitAsync(Timeout);
        var good = symbols.Where(s => s != "BADCOIN").ToArray();
        await client.PublishOneTradeEachAsync(stub, good);

        using (new FluentAssertions.Execution.AssertionScope())
        {
            client.Metrics.UnconfirmedStreams.Should().Be(1, "BADCOIN alone is left out");
            client.Run.IsCompleted.Should().BeFalse("one refused stream does not end the connection");
            stub.Connections.Should().Be(1);
            stub.IsSubscribed("badcoin@trade").Should().BeFalse();
            stub.Requests.Where(r => r.Method == "SUBSCRIBE" && r.Streams.Length == 1 && r.Streams[0] == "badcoin@trade")
                .Should().HaveCount(2, "the refused stream is found alone, then re-subscribed once (MaxResubscribes = 1)");
        }
    }

    [Test]
    public async Task A_stream_never_listed_is_given_up_after_MaxResubscribes_and_the_others_keep_delivering()
    {
        await using var stub = new LoopbackBinanceStub { Ignored = { "ghost@trade" } };
        await stub.StartAsync();
        var symbols = Enumerable.Range(0, 12).Select(i => $"SYM{i:D2}USDT").Append("GHOST").ToArray();
        await using var client = new Client(stub, symbols, maxResubscribes: 2);
        client.Start();

        await client.Connection.Subscribed.WaitAsync(Timeout);
        await client.PublishOneTradeEachAsync(stub, symbols[..^1]);

        using (new FluentAssertions.Execution.AssertionScope())
        {
            client.Metrics.UnconfirmedStreams.Should().Be(1);
            client.Run.IsCompleted.Should().BeFalse();
            stub.Requests.Count(r => r.Method == "SUBSCRIBE" && r.Streams.Contains("ghost@trade"))
                .Should().Be(3, "subscribed once, then again at most MaxResubscribes = 2 times");
        }
    }

    [Test]
    public async Task A_stream_added_later_that_is_refused_does_not_end_the_connection()
    {
        await using var stub = new LoopbackBinanceStub { Refused = { "badcoin@trade" } };
        await stub.StartAsync();
        var symbols = Enumerable.Range(0, 6).Select(i => $"SYM{i:D2}USDT").ToArray();
        await using var client = new Client(stub, [.. symbols, "NEWCOIN", "BADCOIN"], symbols, maxResubscribes: 0);
        client.Start();
        await client.Connection.Subscribed.WaitAsync(Timeout);

        client.Connection.Subscribe(["badcoin@trade", "newcoin@trade"]);
        await Eventually.UntilAsync(() => client.Metrics.UnconfirmedStreams == 1, Timeout, "BADCOIN given up");
        await client.PublishOneTradeEachAsync(stub, [.. symbols, "NEWCOIN"]);
        client.Run.IsCompleted.Should().BeFalse();
    }

    [Test]
    public async Task Requests_never_put_more_than_3_messages_in_a_second_so_a_pong_keeps_the_total_under_5()
    {
        await using var stub = new LoopbackBinanceStub();
        await stub.StartAsync();

        // One stream in the URL, the other 40 in 8 SUBSCRIBE batches: 9 requests with LIST_SUBSCRIPTIONS.
        var symbols = Enumerable.Range(0, 41).Select(i => $"SYM{i:D2}USDT").ToArray();
        await using var client = new Client(stub, symbols, options: o =>
        {
            o.MaxUrlStreams = 1;
            o.SubscribeBatchSize = 5;
        });
        client.Start();
        await client.Connection.Subscribed.WaitAsync(Timeout);

        var arrivals = stub.ArrivalTimes.Single();
        arrivals.Should().HaveCount(9);
        for (var i = 0; i + 3 < arrivals.Count; i++)
        {
            // Messages i and i + 3 at least a second apart: no second holds 4 requests, so 3 plus a pong is at most 4.
            (arrivals[i + 3] - arrivals[i]).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1), $"requests {i} to {i + 3}");
        }
    }

    /// <summary>One connection over <c>Streams</c> (default: every symbol) with its own book, metrics and ingestor.</summary>
    private sealed class Client : IAsyncDisposable
    {
        private readonly HttpClient _http = new();

        public Client(LoopbackBinanceStub stub, IReadOnlyList<string> symbols, IReadOnlyList<string>? connected = null,
            int maxResubscribes = 3, Action<BinanceOptions>? options = null)
        {
            var o = new BinanceOptions
            {
                StreamBaseUrl = stub.StreamBaseUrl,
                RestBaseUrl = stub.RestBaseUrl,
                MaxUrlStreams = 4,
                SubscribeBatchSize = 10,
                MaxResubscribes = maxResubscribes,
            };
            options?.Invoke(o);
            Book.Replace(symbols);
            var ingestor = new TradeIngestor(Book, Metrics, NullLogger<TradeIngestor>.Instance, o, TimeProvider.System);
            var backfill = new Backfiller(o, new TradeHistoryClient(_http, o, NullLogger<TradeHistoryClient>.Instance), ingestor, TimeProvider.System,
                NullLogger<Backfiller>.Instance);
            var streams = (connected ?? symbols).Select(ConnectionPlanner.StreamName).ToArray();
            Connection = new StreamConnection(0, ConnectionPlanner.PlanConnection(streams, o), o, ingestor, backfill, TimeProvider.System, NullLogger.Instance);
        }

        public FeedBook Book { get; } = new(new FeedBookOptions());

        public FeedMetrics Metrics { get; } = new();

        public StreamConnection Connection { get; }

        public Task<ConnectionEnd> Run { get; private set; } = Task.FromResult(ConnectionEnd.Stopped);

        public void Start() => Run = Connection.RunAsync(CancellationToken.None);

        /// <summary>Publishes trade 1 of each symbol and waits until every one is counted.</summary>
        public async Task PublishOneTradeEachAsync(LoopbackBinanceStub stub, IReadOnlyList<string> symbols)
        {
            foreach (var s in symbols)
            {
                var stream = ConnectionPlanner.StreamName(s);
                await stub.PublishAsync(stream, $$$"""{"stream":"{{{stream}}}","data":{"e":"trade","E":1,"s":"{{{s}}}","t":1,"p":"10.5","q":"1","T":1,"m":true,"M":true}}""");
            }

            await Eventually.UntilAsync(() => symbols.All(s => Book.Get(s)?.Count == 1), Timeout,
                "one trade counted for each of " + string.Join(", ", symbols));
        }

        public async ValueTask DisposeAsync()
        {
            await Connection.StopAsync();
            await Run;
            await Connection.DisposeAsync();
            _http.Dispose();
            Metrics.Dispose();
        }
    }
}
