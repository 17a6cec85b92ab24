using System.Globalization;
using System.Net;
using System.Text.Json;
using FluentAssertions.Execution;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Integration.Series;

/// <summary>The HTTP contract of <c>POST /add_batch/</c> and <c>GET /stats/</c>, end to end through the MVC pipeline.</summary>
[TestFixture]
[Category("Integration")]
public sealed class SeriesApiTests
{
    private const int MaxBatchSize = 10_000;

    private TradeStatFactory _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public void StartService()
    {
        // One service per fixture; every test writes to its own symbols, so the limit is raised out of the way.
        _factory = new TradeStatFactory(("TradeStat:MaxSymbols", "1000"));
        _client = _factory.CreateApiClient();
    }

    [OneTimeTearDown]
    public async Task StopService()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    // ---- POST /add_batch/: success ----

    [Test]
    public async Task Add_batch_returns_symbol_added_and_total_count()
    {
        var symbol = TradeStatApi.UniqueSymbol();

        using var first = await _client.PostBatchAsync(symbol, [1, 2, 3]);
        var firstBody = await first.Content.ReadAsStringAsync();
        using var second = await _client.PostBatchAsync(symbol, [4, 5]);
        var secondBody = await second.Content.ReadAsStringAsync();

        using (new AssertionScope())
        {
            first.StatusCode.Should().Be(HttpStatusCode.OK, firstBody);
            first.Content.Headers.ContentType?.MediaType.Should().Be("application/json");
            second.StatusCode.Should().Be(HttpStatusCode.OK, secondBody);
        }

        AddBatchResult.Parse(firstBody).Should().Be(new AddBatchResult(symbol, 3, 3));
        AddBatchResult.Parse(secondBody).Should().Be(new AddBatchResult(symbol, 2, 5));
    }

    [TestCase("A")]
    [TestCase("abcXYZ019")]
    [TestCase("BTC/USDT")]
    [TestCase("ES:F.24_x-1")]
    [TestCase("ABCDEFGHIJKLMNOPQRSTUVWXYZ._-:/9")] // 32 characters, the longest allowed
    public async Task Add_batch_accepts_every_allowed_symbol_shape(string symbol)
    {
        // A fresh factory: these literal symbols must not meet another test's data.
        await using var factory = new TradeStatFactory();
        using var client = factory.CreateApiClient();

        (await client.AddBatchAsync(symbol, [7.5])).Should().Be(1);

        var stats = await client.StatsAsync(symbol, 1);
        stats.Should().Be(new StatsResult(symbol, 1, 1, 7.5, 7.5, 7.5, 7.5, 0));
    }

    [Test]
    public async Task Symbols_are_case_sensitive()
    {
        var lower = TradeStatApi.UniqueSymbol("case").ToLowerInvariant();
        var upper = lower.ToUpperInvariant();

        await _client.AddBatchAsync(lower, [1]);
        await _client.AddBatchAsync(upper, [2, 3]);

        var lowerStats = await _client.StatsAsync(lower, 1);
        var upperStats = await _client.StatsAsync(upper, 1);
        using (new AssertionScope())
        {
            lowerStats.Should().Be(new StatsResult(lower, 1, 1, 1, 1, 1, 1, 0));
            upperStats.Should().Be(new StatsResult(upper, 1, 2, 2, 3, 3, 2.5, 0.25));
        }
    }

    [Test]
    public async Task Add_batch_accepts_integers_exponents_and_negative_zero()
    {
        var symbol = TradeStatApi.UniqueSymbol();

        using var response = await _client.PostRawAsync(TradeStatApi.RawBatchBody(symbol, "[1, -2, 3.5, 1e2, 2E-1, 0, -0]"));

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var stats = await _client.StatsAsync(symbol, 1);
        stats.ShouldMatchWindowOf([1, -2, 3.5, 100, 0.2, 0, -0.0], 1);
        BitConverter.DoubleToInt64Bits(stats.Last).Should().Be(BitConverter.DoubleToInt64Bits(-0.0));
    }

    [Test]
    public async Task Add_batch_accepts_exactly_the_batch_limit_and_refuses_one_more()
    {
        var symbol = TradeStatApi.UniqueSymbol();
        var full = Enumerable.Range(1, MaxBatchSize).Select(i => (double)i).ToArray();

        (await _client.AddBatchAsync(symbol, full)).Should().Be(MaxBatchSize);

        using var tooMany = await _client.PostBatchAsync(symbol, full.Append(0.5));
        await tooMany.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        var stats = await _client.StatsAsync(symbol, 4);
        stats.Count.Should().Be(MaxBatchSize, "the refused batch must add nothing");
        stats.Last.Should().Be(MaxBatchSize);
    }

    [Test]
    public async Task Add_batch_too_many_values_for_a_new_symbol_returns_400_and_creates_nothing()
    {
        var symbol = TradeStatApi.UniqueSymbol();

        using var response = await _client.PostBatchAsync(symbol, Enumerable.Repeat(1.0, MaxBatchSize + 1));

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        using var stats = await _client.GetStatsAsync(symbol, 1);
        await stats.ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    // ---- POST /add_batch/: atomic refusal of invalid values ----

    private static readonly string[] InvalidValueTokens =
    [
        "\"6\"", "\"NaN\"", "null", "true", "false", "[6]", "[]", "{}", "{\"v\": 6}",
        "NaN", "Infinity", "-Infinity", "1e400", "-1e400",
        "+1", ".5", "1.", "01", "0x10", "--1", "1e", "'6'",
    ];

    [TestCaseSource(nameof(InvalidValueTokens))]
    public async Task Add_batch_with_one_invalid_value_returns_400_and_adds_nothing_to_an_existing_symbol(string token)
    {
        var symbol = TradeStatApi.UniqueSymbol();
        await _client.AddBatchAsync(symbol, [1, 2, 3]);

        using var response = await _client.PostRawAsync(TradeStatApi.RawBatchBody(symbol, $"[4, 5, {token}, 6]"));

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        var stats = await _client.StatsAsync(symbol, 1);
        stats.Should().Be(new StatsResult(symbol, 1, 3, 1, 3, 3, 2, 2.0 / 3));
    }

    [TestCaseSource(nameof(InvalidValueTokens))]
    public async Task Add_batch_with_one_invalid_value_returns_400_and_creates_no_symbol(string token)
    {
        var symbol = TradeStatApi.UniqueSymbol();

        using var response = await _client.PostRawAsync(TradeStatApi.RawBatchBody(symbol, $"[4, 5, {token}, 6]"));

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        using var stats = await _client.GetStatsAsync(symbol, 1);
        await stats.ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    // ---- POST /add_batch/: content type and body shape ----

    [TestCase("text/plain")]
    [TestCase("application/xml")]
    [TestCase("application/x-www-form-urlencoded")]
    [TestCase(null)]
    public async Task Add_batch_without_json_content_type_returns_415_and_adds_nothing(string? contentType)
    {
        var symbol = TradeStatApi.UniqueSymbol();

        using var response = await _client.PostRawAsync(TradeStatApi.BatchBody(symbol, [1, 2]), contentType);

        await response.ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType);
        using var stats = await _client.GetStatsAsync(symbol, 1);
        await stats.ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    /// <summary>Bodies that must be refused with 400; <c>{S}</c> stands for a fresh valid symbol.</summary>
    private static IEnumerable<TestCaseData> MalformedBodies()
    {
        static TestCaseData Case(string name, string body) => new TestCaseData(body).SetArgDisplayNames(name);

        // Syntax.
        yield return Case("unclosed array", """{"symbol": "{S}", "values": [1, 2}""");
        yield return Case("unclosed object", """{"symbol": "{S}", "values": [1, 2]""");
        yield return Case("lone brace", "{");
        yield return Case("trailing comma", """{"symbol": "{S}", "values": [1],}""");
        yield return Case("trailing comma in array", """{"symbol": "{S}", "values": [1,]}""");
        yield return Case("trailing garbage", """{"symbol": "{S}", "values": [1]} x""");
        yield return Case("two objects", """{"symbol": "{S}", "values": [1]}{"symbol": "{S}", "values": [2]}""");
        yield return Case("comment", """/* c */ {"symbol": "{S}", "values": [1]}""");
        yield return Case("single quotes", "{'symbol': '{S}', 'values': [1]}");
        yield return Case("unquoted names", """{symbol: "{S}", values: [1]}""");

        // Not an object.
        yield return Case("empty body", "");
        yield return Case("whitespace body", "  \n ");
        yield return Case("array", """[{"symbol": "{S}", "values": [1]}]""");
        yield return Case("number", "42");
        yield return Case("string", "\"{S}\"");
        yield return Case("null", "null");
        yield return Case("true", "true");

        // symbol.
        yield return Case("missing symbol", """{"values": [1]}""");
        yield return Case("empty symbol", """{"symbol": "", "values": [1]}""");
        yield return Case("blank symbol", """{"symbol": "   ", "values": [1]}""");
        yield return Case("33-char symbol", $$"""{"symbol": "{{new string('A', 33)}}", "values": [1]}""");
        yield return Case("huge symbol", $$"""{"symbol": "{{new string('A', 5000)}}", "values": [1]}""");
        yield return Case("space in symbol", """{"symbol": "A B", "values": [1]}""");
        yield return Case("dollar in symbol", """{"symbol": "A$B", "values": [1]}""");
        yield return Case("backslash in symbol", """{"symbol": "A\\B", "values": [1]}""");
        yield return Case("non-ASCII letter in symbol", """{"symbol": "Ä", "values": [1]}""");
        yield return Case("escaped non-ASCII in symbol", """{"symbol": "\u00c4", "values": [1]}""");
        yield return Case("NUL in symbol", """{"symbol": "A\u0000", "values": [1]}""");
        yield return Case("newline in symbol", """{"symbol": "A\n", "values": [1]}""");
        yield return Case("symbol is a number", """{"symbol": 123, "values": [1]}""");
        yield return Case("symbol is null", """{"symbol": null, "values": [1]}""");
        yield return Case("symbol is true", """{"symbol": true, "values": [1]}""");
        yield return Case("symbol is an array", """{"symbol": ["{S}"], "values": [1]}""");
        yield return Case("symbol is an object", """{"symbol": {"name": "{S}"}, "values": [1]}""");
        yield return Case("duplicate symbol", """{"symbol": "{S}", "symbol": "{S}", "values": [1]}""");

        // values.
        yield return Case("missing values", """{"symbol": "{S}"}""");
        yield return Case("empty values", """{"symbol": "{S}", "values": []}""");
        yield return Case("values is a number", """{"symbol": "{S}", "values": 1}""");
        yield return Case("values is a string", """{"symbol": "{S}", "values": "1"}""");
        yield return Case("values is null", """{"symbol": "{S}", "values": null}""");
        yield return Case("values is an object", """{"symbol": "{S}", "values": {"0": 1}}""");
        yield return Case("duplicate values", """{"symbol": "{S}", "values": [1], "values": [2]}""");
    }

    [TestCaseSource(nameof(MalformedBodies))]
    public async Task Add_batch_with_malformed_body_returns_400_and_adds_nothing(string template)
    {
        var symbol = TradeStatApi.UniqueSymbol();

        using var response = await _client.PostRawAsync(template.Replace("{S}", symbol, StringComparison.Ordinal));

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        using var stats = await _client.GetStatsAsync(symbol, 1);
        await stats.ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Add_batch_validation_problem_names_the_faulty_member()
    {
        var symbol = TradeStatApi.UniqueSymbol();

        using var response = await _client.PostRawAsync(TradeStatApi.RawBatchBody(symbol, "[1, \"2\"]"));

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Should().Contain(name => name.StartsWith("values", StringComparison.Ordinal));
    }

    // ---- GET /stats/ ----

    [TestCase(1, 10, 16, 25, 20.5, 8.25)]
    [TestCase(2, 25, 1, 25, 13, 52)]
    [TestCase(5, 25, 1, 25, 13, 52)]
    [TestCase(8, 25, 1, 25, 13, 52)]
    public async Task Stats_cover_the_last_ten_to_the_k_points(int k, long count, double min, double max, double avg, double variance)
    {
        var symbol = TradeStatApi.UniqueSymbol();
        await _client.AddBatchAsync(symbol, Enumerable.Range(1, 25).Select(i => (double)i));

        var stats = await _client.StatsAsync(symbol, k);

        stats.Should().Be(new StatsResult(symbol, k, count, min, max, 25, avg, variance));
    }

    [Test]
    public async Task Stats_mean_of_cancelling_huge_values_is_exact()
    {
        // The mean is 6e-31 while the values reach 1e20: beyond double-double, answered from an exact sum.
        var symbol = TradeStatApi.UniqueSymbol();
        await _client.AddBatchAsync(symbol, [1e20, 1.1, 3e-30, -1.1, -1e20]);

        var stats = await _client.StatsAsync(symbol, 1);

        stats.Avg.Should().Be(6e-31);
        ExactStats.RelativeError(stats.Var, 4e39).Should().BeLessThanOrEqualTo(1e-9);
    }

    [Test]
    public async Task Stats_after_several_small_batches_are_exact()
    {
        var symbol = TradeStatApi.UniqueSymbol();

        var counts = new[]
        {
            await _client.AddBatchAsync(symbol, [1, 2, 3, 4, 5, 6, 7]),
            await _client.AddBatchAsync(symbol, [8, 9, 10, 11, 12, 13, 14, 15]),
            await _client.AddBatchAsync(symbol, [100, -100, 0.5]),
        };

        counts.Should().Equal(7, 15, 18);
        // Last ten: 9..15, 100, -100, 0.5 → sum 84.5.
        var ten = await _client.StatsAsync(symbol, 1);
        var all = await _client.StatsAsync(symbol, 2);
        using (new AssertionScope())
        {
            ten.Should().BeEquivalentTo(new { Count = 10L, Min = -100.0, Max = 100.0, Last = 0.5, Avg = 8.45 });
            all.Should().BeEquivalentTo(new { Count = 18L, Min = -100.0, Max = 100.0, Last = 0.5 });
            ExactStats.RelativeError(all.Avg, 120.5 / 18).Should().BeLessThanOrEqualTo(1e-15);
            ExactStats.RelativeError(ten.Var, ExactStats.Compute([9, 10, 11, 12, 13, 14, 15, 100, -100, 0.5]).Variance)
                .Should().BeLessThanOrEqualTo(1e-15);
        }
    }

    [Test]
    public async Task Stats_after_several_large_batches_match_a_naive_reference()
    {
        var symbol = TradeStatApi.UniqueSymbol();
        var random = new Random(20240611);
        var sent = new List<double>();

        // Batch boundaries fall inside the 10^3, 10^4 and 10^5 windows; prices have four decimals, as quotes do.
        foreach (var size in new[] { MaxBatchSize, 7_000, MaxBatchSize, 1 })
        {
            var batch = Enumerable.Range(0, size).Select(_ => Math.Round(100 + (random.NextDouble() * 50), 4)).ToArray();
            sent.AddRange(batch);
            (await _client.AddBatchAsync(symbol, batch)).Should().Be(sent.Count);
        }

        for (var k = 1; k <= 5; k++)
        {
            (await _client.StatsAsync(symbol, k)).ShouldMatchWindowOf(sent, k);
        }
    }

    private static readonly double[] AwkwardDoubles =
        [0.1, 1e-300, double.Epsilon, double.MaxValue, -double.MaxValue, -0.0, 123456789.123456789, -1.5];

    [TestCaseSource(nameof(AwkwardDoubles))]
    public async Task Stats_return_an_awkward_double_bit_for_bit(double value)
    {
        var symbol = TradeStatApi.UniqueSymbol();
        await _client.AddBatchAsync(symbol, [value]);

        var stats = await _client.StatsAsync(symbol, 1);

        var bits = BitConverter.DoubleToInt64Bits(value);
        using (new AssertionScope(value.ToString("R", CultureInfo.InvariantCulture)))
        {
            BitConverter.DoubleToInt64Bits(stats.Min).Should().Be(bits, "min");
            BitConverter.DoubleToInt64Bits(stats.Max).Should().Be(bits, "max");
            BitConverter.DoubleToInt64Bits(stats.Last).Should().Be(bits, "last");
            stats.Avg.Should().Be(value);
            stats.Var.Should().Be(0);
        }
    }

    [Test]
    public async Task Stats_keep_awkward_doubles_exact_in_a_mixed_window()
    {
        var symbol = TradeStatApi.UniqueSymbol();
        double[] values = [0.1, 1e-300, double.Epsilon, 123456789.123456789, -1.5, -0.0];
        await _client.AddBatchAsync(symbol, values);

        var stats = await _client.StatsAsync(symbol, 1);

        stats.ShouldMatchWindowOf(values, 1);
        BitConverter.DoubleToInt64Bits(stats.Last).Should().Be(BitConverter.DoubleToInt64Bits(-0.0));
    }

    [Test]
    public async Task Stats_near_the_double_range_still_answer_with_finite_numbers()
    {
        // The true variance overflows a double and the contract names no value for it, but the answer must still be
        // a 200 with JSON numbers (JSON has no Infinity), never a 5xx.
        var symbol = TradeStatApi.UniqueSymbol();
        await _client.AddBatchAsync(symbol, [double.MaxValue, -double.MaxValue, 1e308, -1e308]);

        var stats = await _client.StatsAsync(symbol, 1);

        using (new AssertionScope())
        {
            stats.Min.Should().Be(-double.MaxValue);
            stats.Max.Should().Be(double.MaxValue);
            stats.Last.Should().Be(-1e308);
            double.IsFinite(stats.Avg).Should().BeTrue();
            double.IsFinite(stats.Var).Should().BeTrue();
        }
    }

    [TestCase("01", 1)]
    [TestCase("08", 8)]
    [TestCase("001", 1)]
    public async Task Stats_accept_k_with_leading_zeros(string k, int expectedK)
    {
        // k is read as plain decimal digits, so leading zeros are allowed.
        var symbol = TradeStatApi.UniqueSymbol();
        await _client.AddBatchAsync(symbol, [1, 2]);

        using var response = await _client.GetAsync($"/stats/?symbol={symbol}&k={k}");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        StatsResult.Parse(await response.Content.ReadAsStringAsync()).K.Should().Be(expectedK);
    }

    [TestCase("SYMBOL={0}&K=2")]
    [TestCase("Symbol={0}&k=2")]
    [TestCase("k=2&symbol={0}")]
    public async Task Stats_read_the_query_parameters_whatever_their_case_and_order(string query)
    {
        var symbol = TradeStatApi.UniqueSymbol();
        await _client.AddBatchAsync(symbol, [1, 2, 3]);

        using var response = await _client.GetAsync("/stats/?" + string.Format(System.Globalization.CultureInfo.InvariantCulture, query, symbol));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var stats = StatsResult.Parse(await response.Content.ReadAsStringAsync());
        (stats.K, stats.Count, stats.Last).Should().Be((2, 3L, 3.0));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("0")]
    [TestCase("9")]
    [TestCase("10")]
    [TestCase("-1")]
    [TestCase("1.5")]
    [TestCase("1.0")]
    [TestCase("abc")]
    [TestCase(" 1")]
    [TestCase("1 ")]
    [TestCase("+1")]
    [TestCase("1e0")]
    [TestCase("0x1")]
    [TestCase("\u0661")] // ARABIC-INDIC DIGIT ONE
    [TestCase("2147483648")]
    public async Task Stats_with_invalid_k_returns_400(string? k)
    {
        var symbol = TradeStatApi.UniqueSymbol();
        await _client.AddBatchAsync(symbol, [1, 2]);
        var query = k is null ? $"symbol={symbol}" : $"symbol={symbol}&k={Uri.EscapeDataString(k)}";

        using var response = await _client.GetAsync($"/stats/?{query}");

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").TryGetProperty("k", out _).Should().BeTrue();
    }

    [TestCase("k=1")]
    [TestCase("symbol=&k=1")]
    [TestCase("symbol&k=1")]     // a name without a value
    [TestCase("=SYM&k=1")]       // a value without a name
    [TestCase("symbol=%20&k=1")]
    [TestCase("symbol=A%20B&k=1")]
    [TestCase("symbol=A%24&k=1")]
    [TestCase("symbol=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&k=1")] // 33 characters
    public async Task Stats_with_missing_or_invalid_symbol_returns_400(string query)
    {
        using var response = await _client.GetAsync($"/stats/?{query}");

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.GetProperty("errors").TryGetProperty("symbol", out _).Should().BeTrue();
    }

    [Test]
    public async Task Stats_for_a_symbol_never_added_returns_404()
    {
        var symbol = TradeStatApi.UniqueSymbol("case").ToLowerInvariant();
        await _client.AddBatchAsync(symbol, [1]);

        using var unknown = await _client.GetStatsAsync(TradeStatApi.UniqueSymbol(), 1);
        using var otherCase = await _client.GetStatsAsync(symbol.ToUpperInvariant(), 1);

        await unknown.ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await otherCase.ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    // ---- Routing, errors and infrastructure endpoints ----

    [TestCase("/add_batch")]
    [TestCase("/add_batch/")]
    public async Task Add_batch_answers_with_and_without_trailing_slash(string path)
    {
        var symbol = TradeStatApi.UniqueSymbol();

        using var response = await _client.PostRawAsync(TradeStatApi.BatchBody(symbol, [1]), path: path);

        response.StatusCode.Should().Be(HttpStatusCode.OK, "a redirect would lose the POST body");
    }

    [TestCase("/stats")]
    [TestCase("/stats/")]
    public async Task Stats_answers_with_and_without_trailing_slash(string path)
    {
        var symbol = TradeStatApi.UniqueSymbol();
        await _client.AddBatchAsync(symbol, [1]);

        using var response = await _client.GetAsync($"{path}?symbol={symbol}&k=1");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [TestCase("/nope")]
    [TestCase("/add_batch/extra")]
    [TestCase("/stats/extra?symbol=A&k=1")]
    public async Task Unknown_route_returns_404_problem(string path)
    {
        using var response = await _client.GetAsync(path);

        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [TestCase("GET", "/add_batch/", "POST")]
    [TestCase("PUT", "/add_batch", "POST")]
    [TestCase("DELETE", "/stats/", "GET")]
    [TestCase("POST", "/stats/", "GET")]
    public async Task Wrong_method_returns_405_problem(string method, string path, string allowed)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);

        using var response = await _client.SendAsync(request);

        await response.ShouldBeProblemAsync(HttpStatusCode.MethodNotAllowed);
        response.Content.Headers.Allow.Should().Contain(allowed);
    }

    [TestCase("/health/live")]
    [TestCase("/health/ready")]
    public async Task Health_endpoints_return_200(string path)
    {
        using var response = await _client.GetAsync(path);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be("Healthy");
    }

    [Test]
    public async Task Open_api_document_describes_both_endpoints()
    {
        using var response = await _client.GetAsync("/openapi/v1.json");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/json");
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToArray();
        paths.Should().Contain(p => p.StartsWith("/add_batch", StringComparison.Ordinal));
        paths.Should().Contain(p => p.StartsWith("/stats", StringComparison.Ordinal));

        // symbol and k are read from the query by the action, not bound: the document still lists both, required.
        var stats = document.RootElement.GetProperty("paths").EnumerateObject()
            .Single(p => p.Name.StartsWith("/stats", StringComparison.Ordinal)).Value.GetProperty("get");
        var parameters = stats.GetProperty("parameters").EnumerateArray()
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p);
        parameters.Keys.Should().BeEquivalentTo("symbol", "k");
        foreach (var parameter in parameters.Values)
        {
            parameter.GetProperty("in").GetString().Should().Be("query");
            parameter.GetProperty("required").GetBoolean().Should().BeTrue();
            parameter.GetProperty("schema").GetProperty("type").GetString().Should().Be("string");
            parameter.GetProperty("description").GetString().Should().NotBeNullOrWhiteSpace();
        }
    }
}
