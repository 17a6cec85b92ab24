using System.Net;
using System.Net.Http.Headers;
using System.Text;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Integration.Series;

/// <summary>Inputs found by review and by fuzzing: each must get a precise 4xx problem, never a 5xx.</summary>
[TestFixture]
[Category("Integration")]
public sealed class HostileInputTests
{
    private TradeStatFactory _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public void StartService()
    {
        _factory = new TradeStatFactory(("TradeStat:MaxSymbols", "1000"));
        _client = _factory.CreateApiClient();
    }

    [OneTimeTearDown]
    public async Task StopService()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    private static IEnumerable<TestCaseData> InvalidUtf8Symbols()
    {
        yield return new TestCaseData(Concat("{\"symbol\":\""u8, [0xFF], "\",\"values\":[1]}"u8)).SetArgDisplayNames("raw 0xFF byte");
        yield return new TestCaseData(Encoding.UTF8.GetBytes("{\"symbol\":\"\\uD800\",\"values\":[1]}")).SetArgDisplayNames("lone high surrogate");
        yield return new TestCaseData(Encoding.UTF8.GetBytes("{\"values\":[1],\"symbol\":\"A\\uDC00\"}")).SetArgDisplayNames("lone low surrogate");
    }

    [TestCaseSource(nameof(InvalidUtf8Symbols))]
    public async Task A_symbol_that_is_not_valid_UTF8_is_a_400(byte[] body)
    {
        using var response = await _client.PostAsync("/add_batch/", Json(body));
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").TryGetProperty("symbol", out _).Should().BeTrue();
    }

    [Test]
    public async Task A_body_with_a_UTF8_byte_order_mark_is_accepted()
    {
        var symbol = TradeStatApi.UniqueSymbol();
        var body = Concat([0xEF, 0xBB, 0xBF], Encoding.UTF8.GetBytes(TradeStatApi.BatchBody(symbol, [1, 2])));
        using var response = await _client.PostAsync("/add_batch/", Json(body));
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [TestCase("application/json; charset=utf-16")]
    [TestCase("application/json; charset=iso-8859-1")]
    public async Task A_charset_other_than_UTF8_is_a_415(string contentType)
    {
        using var response = await _client.PostRawAsync(TradeStatApi.BatchBody(TradeStatApi.UniqueSymbol(), [1]), contentType);
        await response.ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [TestCase("application/json; charset=utf-8")]
    [TestCase("application/json; charset=UTF-8")]
    public async Task UTF8_may_be_declared(string contentType)
    {
        using var response = await _client.PostRawAsync(TradeStatApi.BatchBody(TradeStatApi.UniqueSymbol(), [1]), contentType);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [TestCase("k=1&k=2", "k")]
    [TestCase("k=2&k=1", "k")]
    [TestCase("k=1&symbol=OTHER", "symbol")]
    [TestCase("k=1&K=2", "k")]                 // names are case-insensitive: still the same parameter twice
    [TestCase("k=1&SYMBOL=OTHER", "symbol")]
    public async Task A_repeated_query_parameter_is_a_400_not_a_silent_choice(string extra, string member)
    {
        var symbol = TradeStatApi.UniqueSymbol();
        await _client.AddBatchAsync(symbol, [1, 2]);
        using var response = await _client.GetAsync($"/stats/?symbol={symbol}&{extra}");
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").GetProperty(member)[0].GetString().Should().Contain("once");
    }

    [TestCase("1%00")]
    [TestCase("%001")]
    [TestCase("1%20")]
    public async Task K_with_hidden_characters_is_a_400(string k)
    {
        var symbol = TradeStatApi.UniqueSymbol();
        await _client.AddBatchAsync(symbol, [1, 2]);
        using var response = await _client.GetAsync($"/stats/?symbol={symbol}&k={k}");
        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task K_with_many_leading_zeros_is_still_k()
    {
        var symbol = TradeStatApi.UniqueSymbol();
        await _client.AddBatchAsync(symbol, [1, 2]);
        using var response = await _client.GetAsync($"/stats/?symbol={symbol}&k=0000000000003");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Test]
    public async Task Not_found_is_a_problem_whatever_the_Accept_header()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/stats/?symbol={TradeStatApi.UniqueSymbol()}&k=1");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        using var response = await _client.SendAsync(request);
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.NotFound);
        problem.GetProperty("detail").GetString().Should().Contain("has no data");
    }

    [Test]
    public async Task Symbol_limit_is_a_problem_whatever_the_Accept_header()
    {
        await using var factory = new TradeStatFactory(("TradeStat:MaxSymbols", "1"));
        using var client = factory.CreateApiClient();
        await client.AddBatchAsync("FIRST", [1]);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/add_batch/")
        {
            Content = new StringContent(TradeStatApi.BatchBody("SECOND", [1]), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        using var response = await client.SendAsync(request);
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.Conflict);
        problem.GetProperty("detail").GetString().Should().Contain("limit of 1 symbols");
    }

    [Test]
    public async Task Unsupported_media_type_says_what_to_send()
    {
        using var response = await _client.PostRawAsync("hello", "text/plain");
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType);
        problem.GetProperty("detail").GetString().Should().Contain("application/json");
    }

    /// <summary>
    /// Random corruptions of a valid body (byte flips, truncations, insertions): every answer is a 200 or a
    /// 4xx problem, and a symbol's state changes only through the 200s. Bounded: 1,500 requests.
    /// </summary>
    [Test]
    public async Task Mutated_bodies_never_produce_a_server_error()
    {
        var random = new Random(20261123);
        var symbol = TradeStatApi.UniqueSymbol();
        var seedBody = Encoding.UTF8.GetBytes(TradeStatApi.BatchBody(symbol, [1.5, -2, 3e10, 0.25, 7]));
        byte[] interesting = [.. "{}[],:\"\\-+.eE0123456789 nutfl"u8, 0x00, 0xFF, 0xC3, 0x80, 0xEF, 0xBB, 0xBF];
        long accepted = 0;
        for (var i = 0; i < 1_500; i++)
        {
            var body = seedBody.ToList();
            for (var edits = random.Next(1, 4); edits > 0 && body.Count > 0; edits--)
            {
                var at = random.Next(body.Count);
                switch (random.Next(4))
                {
                    case 0: body[at] = interesting[random.Next(interesting.Length)]; break;
                    case 1: body.RemoveAt(at); break;
                    case 2: body.Insert(at, interesting[random.Next(interesting.Length)]); break;
                    default: body.RemoveRange(at, body.Count - at); break;
                }
            }

            using var response = await _client.PostAsync("/add_batch/", Json([.. body]));
            var text = await response.Content.ReadAsStringAsync();
            ((int)response.StatusCode).Should().BeLessThan(500, Encoding.UTF8.GetString([.. body]) + " → " + text);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                accepted++;
            }
            else
            {
                await response.ShouldBeProblemAsync(response.StatusCode);
            }
        }

        accepted.Should().BeGreaterThan(0, "some mutations stay valid (e.g. a digit for a digit)");
    }

    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static byte[] Concat(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c = default) => [.. a, .. b, .. c];
}
