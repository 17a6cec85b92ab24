using System.Net;
using System.Net.Http.Headers;
using System.Text;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Integration.Series;

/// <summary>
/// At least 10,000 generated requests through the whole HTTP pipeline (bounded: a fixed seed and count). Every
/// answer is a 2xx or a 4xx problem, never a 5xx; requests aimed at the watched symbols are all invalid, and
/// every statistic of those symbols, for every k, is identical before and after them.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class FuzzTests
{
    private const int Requests = 10_500;
    private static readonly string[] Watched = ["WATCH.A", "WATCH-B", "watch_c"];

    private static readonly string[] BadTokens =
    [
        "1e400", "-1e309", "NaN", "Infinity", "-Infinity", "\"1\"", "null", "true", "[1]", "{}", "1.", ".5", "-", "+1",
        "01", "1e", "1e+", "0x10", "1_000", "--1", "1..2", "\"\"", "'1'", "1,", ",", "1 2",
    ];

    private TradeStatFactory _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task StartService()
    {
        _factory = new TradeStatFactory(("TradeStat:MaxSymbols", "24"));
        _client = _factory.CreateApiClient();
        var random = new Random(1);
        foreach (var symbol in Watched)
        {
            await _client.AddBatchAsync(symbol, Enumerable.Range(0, 5_000).Select(_ => Math.Round(random.NextDouble() * 1000, 3)));
        }
    }

    [OneTimeTearDown]
    public async Task StopService()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    [Test]
    public async Task Ten_thousand_hostile_requests_get_4xx_problems_and_leave_the_watched_symbols_untouched()
    {
        var before = await SnapshotAsync();
        var random = new Random(20261201);
        var statuses = new Dictionary<int, int>();
        for (var i = 0; i < Requests; i++)
        {
            var (request, mustBeInvalid, description) = Generate(random, i);
            using (request)
            {
                using var response = await _client.SendAsync(request);
                var status = (int)response.StatusCode;
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                status.Should().BeLessThan(500, description);
                if (mustBeInvalid)
                {
                    status.Should().BeInRange(400, 499, description);
                }

                if (status >= 400)
                {
                    await response.ShouldBeProblemAsync(response.StatusCode);
                }
            }
        }

        var after = await SnapshotAsync();
        after.Should().Equal(before, "no invalid request may change a symbol");
        statuses.Keys.Should().Contain([200, 400, 404, 405, 409, 415], $"the generator reaches every kind of answer: {string.Join(", ", statuses)}");
    }

    /// <summary>Every stats answer of every watched symbol, as the raw JSON text.</summary>
    private async Task<List<string>> SnapshotAsync()
    {
        var answers = new List<string>();
        foreach (var symbol in Watched)
        {
            for (var k = 1; k <= 8; k++)
            {
                using var response = await _client.GetStatsAsync(symbol, k);
                response.StatusCode.Should().Be(HttpStatusCode.OK);
                answers.Add(await response.Content.ReadAsStringAsync());
            }
        }

        return answers;
    }

    private static (HttpRequestMessage Request, bool MustBeInvalid, string Description) Generate(Random random, int i)
    {
        var watched = Watched[random.Next(Watched.Length)];
        var values = string.Join(",", Enumerable.Range(0, random.Next(1, 20)).Select(_ => Math.Round(random.NextDouble() * 100, 2).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        string body;
        switch (i % 16)
        {
            case 0: // a bad token somewhere in the values of a watched symbol
                var parts = values.Split(',').ToList();
                parts.Insert(random.Next(parts.Count + 1), BadTokens[random.Next(BadTokens.Length)]);
                return Post(Body(watched, "[" + string.Join(",", parts) + "]"), true);
            case 1: // a valid body cut short
                body = Body(watched, "[" + values + "]");
                return Post(body[..random.Next(body.Length)], true);
            case 2: // invalid UTF-8 in the symbol
                return Post(Concat("{\"symbol\":\"WATCH"u8, [(byte)random.Next(0x80, 0x100)], "\",\"values\":[1]}"u8), true);
            case 3: // nesting
                var depth = random.Next(2, 200);
                return Post(Body(watched, new string('[', depth) + "1" + new string(']', depth)), true);
            case 4: // too many values
                return Post(Body(watched, "[" + string.Join(",", Enumerable.Repeat("1", 10_001)) + "]"), true);
            case 5: // duplicate or missing members
                return Post(random.Next(3) switch
                {
                    0 => $"{{\"symbol\":\"{watched}\",\"values\":[1],\"values\":[2]}}",
                    1 => $"{{\"symbol\":\"{watched}\",\"symbol\":\"{watched}\",\"values\":[1]}}",
                    _ => $"{{\"values\":[{values}]}}",
                }, true);
            case 6: // wrong content type, or none
                return Post(Body(watched, "[" + values + "]"), true, random.Next(4) switch
                {
                    0 => null,
                    1 => "text/plain",
                    2 => "application/xml",
                    _ => "application/json; charset=utf-16",
                });
            case 7: // wrong methods
                var method = new[] { HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch }[random.Next(3)];
                var path = random.Next(2) == 0 ? "/add_batch/" : "/stats/?symbol=" + watched + "&k=1";
                var request = new HttpRequestMessage(method, path) { Content = Json(Encoding.UTF8.GetBytes(Body(watched, "[1]"))) };
                return (request, true, $"{method} {path}");
            case 8: // odd query strings (reads cannot change anything, but must never fail)
                var query = new[] { "k=abc", "k=", "symbol=", "k=1", "symbol=%ZZ&k=1", $"symbol={watched}&k=1&k=1", $"symbol={watched}&k=9", $"symbol={watched}&k=-1", "symbol=" + new string('S', 3000) + "&k=1", $"symbol={watched}&k=1.5", "=&=&", "%00=%00", "symbol=NEVER.ADDED&k=3" }[random.Next(13)];
                return (new HttpRequestMessage(HttpMethod.Get, "/stats/?" + query), false, "GET /stats/?" + query);
            case 9: // huge or malformed symbols
                var symbol = random.Next(3) switch
                {
                    0 => new string('A', random.Next(33, 5_000)),
                    1 => "",
                    _ => "bad symbol " + random.Next(),
                };
                return Post(Body(symbol, "[1]"), true);
            case 10: // random bytes
                var noise = new byte[random.Next(0, 300)];
                random.NextBytes(noise);
                return Post(noise, true);
            case 11 when i % 2_000 == 11: // a 10 MB body, a few times
                var big = new StringBuilder("{\"symbol\":\"").Append(watched).Append("\",\"values\":[");
                big.Append(string.Join(",", Enumerable.Repeat("123456.78", 10 * 1024 * 1024 / 10)));
                return Post(big.Append("]}").ToString(), true);
            case 12: // valid numbers of odd shapes, for other symbols (may be accepted)
                var odd = new[] { "-0", "1e-400", "0.0000001", "1E5", "-1.5e-3", "123456789012345678901234567890" }[random.Next(6)];
                return Post(Body("FUZZ" + random.Next(8), $"[{odd},{values}]"), false);
            default: // random mutations of a valid body, for other symbols (may stay valid)
                var bytes = Encoding.UTF8.GetBytes(Body("FUZZ" + random.Next(30), "[" + values + "]")).ToList();
                byte[] interesting = [.. "{}[],:\"\\-+.eE0123456789 nutfl"u8, 0x00, 0xFF, 0xC3, 0x80];
                for (var edits = random.Next(1, 4); edits > 0 && bytes.Count > 0; edits--)
                {
                    var at = random.Next(bytes.Count);
                    switch (random.Next(3))
                    {
                        case 0: bytes[at] = interesting[random.Next(interesting.Length)]; break;
                        case 1: bytes.RemoveAt(at); break;
                        default: bytes.Insert(at, interesting[random.Next(interesting.Length)]); break;
                    }
                }

                return Post([.. bytes], false);
        }
    }

    private static string Body(string symbol, string rawValues) => $"{{\"symbol\":{System.Text.Json.JsonSerializer.Serialize(symbol)},\"values\":{rawValues}}}";

    private static (HttpRequestMessage, bool, string) Post(string body, bool mustBeInvalid, string? contentType = "application/json") =>
        Post(Encoding.UTF8.GetBytes(body), mustBeInvalid, contentType);

    private static (HttpRequestMessage, bool, string) Post(byte[] body, bool mustBeInvalid, string? contentType = "application/json")
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        var text = Encoding.UTF8.GetString(body);
        return (new HttpRequestMessage(HttpMethod.Post, "/add_batch/") { Content = content }, mustBeInvalid, $"POST {(text.Length > 300 ? text[..300] + "…" : text)} ({contentType})");
    }

    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static byte[] Concat(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c) => [.. a, .. b, .. c];
}
