using System.Net;
using System.Text.Json;
using TradeStat.Tests.Fakes;

namespace TradeStat.Tests.Integration.Feed.FakeExchange;

/// <summary>
/// The fake's REST weight rules, over plain HTTP on 127.0.0.1 with a <see cref="ManualClock"/>: the used-weight header
/// on every answer, the weight of each endpoint, 429 with Retry-After to the window's end, the 418 ban for coming back
/// before Retry-After has passed (every endpoint refused, nothing charged, twice as long for a repeat offender), and
/// fixed windows aligned to the fake's start.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class FakeExchangeWeightTests
{
    private static readonly FakeMarket Market = FakeMarket.Create(listed: 6, trading: 2, tradesPerSymbol: 50, seed: 11);

    private ManualClock _clock = null!;
    private FakeBinanceExchange _exchange = null!;
    private HttpClient _http = null!;

    private string Symbol => Market.TradingSymbols[0];

    [TearDown]
    public async Task Stop()
    {
        _http?.Dispose();
        if (_exchange is not null)
        {
            await _exchange.DisposeAsync();
        }
    }

    [Test]
    public async Task Every_answer_carries_the_weight_used_in_the_window_including_its_own()
    {
        await StartAsync(limit: 6000, window: TimeSpan.FromMinutes(1));
        _exchange.PublishAll();

        (await GetAsync("/api/v3/exchangeInfo?permissions=SPOT")).Should().Be((HttpStatusCode.OK, 20));
        (await GetAsync($"/api/v3/historicalTrades?symbol={Symbol}")).Should().Be((HttpStatusCode.OK, 45));
        (await GetAsync($"/api/v3/trades?symbol={Symbol}")).Should().Be((HttpStatusCode.OK, 70));
        (await GetAsync($"/api/v3/aggTrades?symbol={Symbol}")).Should().Be((HttpStatusCode.OK, 74));

        // Errors are charged too, and carry the header.
        var unknown = await SendAsync("/api/v3/historicalTrades?symbol=NOSUCHUSDT");
        unknown.Status.Should().Be(HttpStatusCode.BadRequest);
        unknown.Used.Should().Be(99);
        unknown.Body.GetProperty("code").GetInt32().Should().Be(-1121);
        unknown.Body.GetProperty("msg").GetString().Should().Be("Invalid symbol.");
        var span = await SendAsync($"/api/v3/aggTrades?symbol={Symbol}&startTime=0&endTime=3600000");
        span.Status.Should().Be(HttpStatusCode.BadRequest);
        span.Used.Should().Be(103);

        using (new FluentAssertions.Execution.AssertionScope())
        {
            _exchange.WeightCharged.Should().Be(103);
            _exchange.MaxWindowWeight.Should().Be(103);
            _exchange.UsedWeight().Should().Be(103);
            _exchange.ExchangeInfoRequests.Should().Be(1);
            _exchange.HistoricalRequests.Should().Be(2);
            _exchange.TradesRequests.Should().Be(1);
            _exchange.AggTradesRequests.Should().Be(2);
            _exchange.ExchangeInfoQueries.Should().Equal("permissions=SPOT");
            _exchange.Answers429.Should().Be(0);
            _exchange.Answers418.Should().Be(0);
        }
    }

    [Test]
    public async Task A_request_over_the_limit_gets_429_with_Retry_After_to_the_end_of_the_window()
    {
        await StartAsync(limit: 100, window: TimeSpan.FromSeconds(10));
        _clock.Advance(TimeSpan.FromMilliseconds(2500));
        for (var i = 1; i <= 5; i++)
        {
            (await GetAsync("/api/v3/exchangeInfo")).Should().Be((HttpStatusCode.OK, 20 * i));
        }

        var refused = await SendAsync("/api/v3/exchangeInfo");
        using (new FluentAssertions.Execution.AssertionScope())
        {
            refused.Status.Should().Be((HttpStatusCode)429);
            refused.RetryAfter.Should().Be("8", "7.5 s are left in the window, rounded up to whole seconds");
            refused.Used.Should().Be(100, "a refused request charges nothing");
            refused.Body.GetProperty("code").GetInt32().Should().Be(-1003);
            refused.Body.GetProperty("msg").GetString().Should().StartWith("Too much request weight used;");
            _exchange.Answers429.Should().Be(1);
            _exchange.WeightCharged.Should().Be(100);
            _exchange.MaxWindowWeight.Should().Be(100);
        }
    }

    [Test]
    public async Task Retry_After_is_at_least_one_second()
    {
        await StartAsync(limit: 20, window: TimeSpan.FromSeconds(10));
        _clock.Advance(TimeSpan.FromMilliseconds(9990));
        (await GetAsync("/api/v3/exchangeInfo")).Should().Be((HttpStatusCode.OK, 20));
        (await SendAsync("/api/v3/exchangeInfo")).RetryAfter.Should().Be("1");
    }

    [Test]
    public async Task Waiting_out_Retry_After_lifts_the_429_in_the_next_window()
    {
        await StartAsync(limit: 100, window: TimeSpan.FromSeconds(10));
        _clock.Advance(TimeSpan.FromMilliseconds(2500));
        await ExhaustAsync();
        var retryAfter = int.Parse((await SendAsync("/api/v3/exchangeInfo")).RetryAfter!, System.Globalization.CultureInfo.InvariantCulture);

        _clock.Advance(TimeSpan.FromSeconds(retryAfter));
        (await GetAsync("/api/v3/exchangeInfo")).Should().Be((HttpStatusCode.OK, 20), "a new window starts from zero");
        _exchange.Bans.Should().Be(0);
        _exchange.Answers418.Should().Be(0);
    }

    [Test]
    public async Task Windows_are_fixed_and_aligned_to_the_start()
    {
        await StartAsync(limit: 1000, window: TimeSpan.FromSeconds(10));
        _clock.Advance(TimeSpan.FromMilliseconds(9900));
        (await GetAsync("/api/v3/exchangeInfo")).Should().Be((HttpStatusCode.OK, 20));
        (await GetAsync("/api/v3/exchangeInfo")).Should().Be((HttpStatusCode.OK, 40));
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        (await GetAsync("/api/v3/exchangeInfo")).Should().Be((HttpStatusCode.OK, 20), "10 s is the start of the second window, not 10 s after the first request");
        _clock.Advance(TimeSpan.FromMilliseconds(9999));
        (await GetAsync("/api/v3/exchangeInfo")).Should().Be((HttpStatusCode.OK, 40));
        _exchange.MaxWindowWeight.Should().Be(40);
        _exchange.WeightCharged.Should().Be(80);
    }

    [Test]
    public async Task A_request_before_Retry_After_has_passed_earns_a_418_ban()
    {
        await StartAsync(limit: 100, window: TimeSpan.FromSeconds(10), ban: TimeSpan.FromSeconds(60));
        _clock.Advance(TimeSpan.FromMilliseconds(2500));
        await ExhaustAsync();
        (await SendAsync("/api/v3/exchangeInfo")).RetryAfter.Should().Be("8");

        // The window has already turned (10.4 s), but the 429 said 8 s: coming back at 7.9 s is too early.
        _clock.Advance(TimeSpan.FromMilliseconds(7900));
        var banned = await SendAsync("/api/v3/exchangeInfo");
        using (new FluentAssertions.Execution.AssertionScope())
        {
            banned.Status.Should().Be((HttpStatusCode)418);
            banned.RetryAfter.Should().Be("60");
            banned.Body.GetProperty("code").GetInt32().Should().Be(-1003);
            banned.Body.GetProperty("msg").GetString().Should().StartWith("Way too much request weight used; IP banned until ");
            _exchange.Bans.Should().Be(1);
            _exchange.Answers418.Should().Be(1);
            _exchange.RequestsDuringBan.Should().Be(0, "this request earned the ban; it did not arrive during one");
        }
    }

    [Test]
    public async Task During_a_ban_every_endpoint_answers_418_with_the_time_left_and_nothing_extends_it()
    {
        await StartAsync(limit: 100, window: TimeSpan.FromSeconds(10), ban: TimeSpan.FromSeconds(60));
        _exchange.PublishAll();
        await BanAsync();
        var charged = _exchange.WeightCharged;

        _clock.Advance(TimeSpan.FromSeconds(10));
        string[] paths =
        [
            "/api/v3/exchangeInfo", $"/api/v3/historicalTrades?symbol={Symbol}", $"/api/v3/trades?symbol={Symbol}",
            $"/api/v3/aggTrades?symbol={Symbol}", "/api/v3/historicalTrades?symbol=NOSUCHUSDT",
        ];
        foreach (var path in paths)
        {
            var answer = await SendAsync(path);
            answer.Status.Should().Be((HttpStatusCode)418, path);
            answer.RetryAfter.Should().Be("50", path);
        }

        _clock.Advance(TimeSpan.FromMilliseconds(49_500));
        (await SendAsync("/api/v3/exchangeInfo")).RetryAfter.Should().Be("1", "the requests during the ban did not lengthen it");
        _clock.Advance(TimeSpan.FromMilliseconds(500));
        (await GetAsync("/api/v3/exchangeInfo")).Should().Be((HttpStatusCode.OK, 20));

        using (new FluentAssertions.Execution.AssertionScope())
        {
            _exchange.RequestsDuringBan.Should().Be(paths.Length + 1);
            _exchange.Answers418.Should().Be(paths.Length + 2);
            _exchange.WeightCharged.Should().Be(charged + 20, "only the request after the ban was charged");
            _exchange.Bans.Should().Be(1);
        }
    }

    [Test]
    public async Task A_repeat_offender_is_banned_twice_as_long_each_time()
    {
        await StartAsync(limit: 100, window: TimeSpan.FromSeconds(10), ban: TimeSpan.FromSeconds(60));
        var lengths = new List<string?>();
        for (var offence = 0; offence < 3; offence++)
        {
            lengths.Add(await BanAsync());
            _clock.Advance(TimeSpan.FromSeconds(int.Parse(lengths[^1]!, System.Globalization.CultureInfo.InvariantCulture)));
        }

        lengths.Should().Equal("60", "120", "240");
        _exchange.Bans.Should().Be(3);
        (await GetAsync("/api/v3/exchangeInfo")).Status.Should().Be(HttpStatusCode.OK);
    }

    // Fills the current window, gets the 429 and comes straight back: the ban's Retry-After.
    private async Task<string?> BanAsync()
    {
        await ExhaustAsync();
        (await SendAsync("/api/v3/exchangeInfo")).Status.Should().Be((HttpStatusCode)429);
        var banned = await SendAsync("/api/v3/exchangeInfo");
        banned.Status.Should().Be((HttpStatusCode)418);
        return banned.RetryAfter;
    }

    private async Task ExhaustAsync()
    {
        for (var i = 0; i < 1000; i++)
        {
            var answer = await SendAsync("/api/v3/exchangeInfo");
            answer.Status.Should().Be(HttpStatusCode.OK);
            if (answer.Used + 20 > _exchange.WeightLimit)
            {
                return;
            }
        }

        Assert.Fail("The window never filled.");
    }

    private async Task StartAsync(int limit, TimeSpan window, TimeSpan? ban = null)
    {
        _clock = new ManualClock();
        _exchange = new FakeBinanceExchange(Market, [])
        {
            Clock = _clock,
            WeightLimit = limit,
            WeightWindow = window,
            BanDuration = ban ?? TimeSpan.FromMinutes(2),
        };
        await _exchange.StartAsync();
        _http = new HttpClient { BaseAddress = _exchange.RestBaseUrl };
    }

    private async Task<(HttpStatusCode Status, int Used)> GetAsync(string path)
    {
        var answer = await SendAsync(path);
        return (answer.Status, answer.Used);
    }

    private async Task<Answer> SendAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        var used = response.Headers.TryGetValues(FakeBinanceExchange.UsedWeightHeader, out var values) ? int.Parse(values.Single(), System.Globalization.CultureInfo.InvariantCulture) : -1;
        var retryAfter = response.Headers.TryGetValues("Retry-After", out var retry) ? retry.Single() : null;
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text.Length == 0 ? "null" : text);
        return new Answer(response.StatusCode, used, retryAfter, doc.RootElement.Clone());
    }

    private sealed record Answer(HttpStatusCode Status, int Used, string? RetryAfter, JsonElement Body);
}
