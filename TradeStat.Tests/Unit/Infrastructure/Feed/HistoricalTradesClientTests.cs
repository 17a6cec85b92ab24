using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using TradeStat.Infrastructure.Feed;

namespace TradeStat.Tests.Unit.Infrastructure.Feed;

[TestFixture]
[Category("Unit")]
public sealed class HistoricalTradesClientTests
{
    [Test]
    public async Task A_gap_another_connection_has_closed_costs_no_request()
    {
        // Rotation overlap: the new connection sees trade 105 first and holds it back; meanwhile the old connection
        // delivers 101–104. Back-filling must notice and spend none of the REST weight budget.
        var (client, handler, state, ingestor) = Create();
        ingestor.ApplyBackfilled(state, 100, 1).Should().BeTrue();
        for (var id = 101; id <= 104; id++)
        {
            state.Apply(id, 1).Result.Should().Be(TradeResult.Applied);
        }

        var recovered = await client.FillAsync(state, 101, 105, CancellationToken.None);

        recovered.Should().Be(0);
        handler.Requests.Should().Be(0);
    }

    [Test]
    public async Task A_gap_partly_closed_meanwhile_is_asked_from_the_first_id_still_missing()
    {
        var (client, handler, state, _) = Create();
        state.Apply(100, 1);
        state.Apply(101, 1);
        state.Apply(102, 1);

        var recovered = await client.FillAsync(state, 101, 105, CancellationToken.None);

        recovered.Should().Be(2);
        handler.Requests.Should().Be(1);
        handler.LastQuery.Should().Contain("fromId=103").And.Contain("limit=2");
        state.LastTradeId.Should().Be(104);
    }

    [Test]
    public async Task A_stalled_answer_gives_up_after_RequestTimeout_instead_of_failing_the_connection()
    {
        // HttpClient's own timeout (here 5 s, 100 s by default) surfaces as TaskCanceledException, which ends the whole
        // receive loop; RequestTimeout bounds the request and the gap is simply not recovered.
        var book = new FeedBook(new FeedBookOptions());
        book.Replace(["BTCUSDT"]);
        var options = new BinanceOptions { RestBaseUrl = new Uri("http://127.0.0.1:1"), RequestTimeout = TimeSpan.FromMilliseconds(100) };
        var ingestor = new TradeIngestor(book, new FeedMetrics(), NullLogger<TradeIngestor>.Instance, options, TimeProvider.System);
        using var http = new HttpClient(new StalledHandler()) { Timeout = TimeSpan.FromSeconds(5) };
        var client = new HistoricalTradesClient(http, options, ingestor, TimeProvider.System, NullLogger<HistoricalTradesClient>.Instance);
        var state = book.Universe.Find("BTCUSDT"u8)!;
        state.Apply(100, 1);

        var recovered = await client.FillAsync(state, 101, 105, CancellationToken.None);

        recovered.Should().Be(0);
    }

    private static (HistoricalTradesClient, CountingHandler, FeedSymbol, TradeIngestor) Create()
    {
        var book = new FeedBook(new FeedBookOptions());
        book.Replace(["BTCUSDT"]);
        var options = new BinanceOptions { RestBaseUrl = new Uri("http://127.0.0.1:1") };
        var ingestor = new TradeIngestor(book, new FeedMetrics(), NullLogger<TradeIngestor>.Instance, options, TimeProvider.System);
        var handler = new CountingHandler();
        var client = new HistoricalTradesClient(new HttpClient(handler), options, ingestor, TimeProvider.System,
            NullLogger<HistoricalTradesClient>.Instance);
        return (client, handler, book.Universe.Find("BTCUSDT"u8)!, ingestor);
    }

    /// <summary>Never answers (until the request is cancelled).</summary>
    private sealed class StalledHandler : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }

    /// <summary>Answers historicalTrades from ids fromId.. (limit of them) at price 1, counting requests.</summary>
    private sealed class CountingHandler : HttpMessageHandler
    {
        public int Requests { get; private set; }

        public string LastQuery { get; private set; } = "";

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            LastQuery = request.RequestUri!.Query;
            var query = System.Web.HttpUtility.ParseQueryString(LastQuery);
            var from = long.Parse(query["fromId"]!, System.Globalization.CultureInfo.InvariantCulture);
            var limit = int.Parse(query["limit"]!, System.Globalization.CultureInfo.InvariantCulture);
            var body = "[" + string.Join(",", Enumerable.Range(0, limit).Select(i => $"{{\"id\":{from + i},\"price\":\"1\"}}")) + "]";
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }
    }
}
