using System.Net;
using System.Text.Json;
using TradeStat.Domain.Series;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Integration.Series;

/// <summary><c>GET /envelope/</c> over HTTP: answers equal to the naive twin's, validation, 404, and its OpenAPI entry.</summary>
[TestFixture]
[Category("Integration")]
public sealed class EnvelopeApiTests
{
    [Test]
    public async Task The_envelope_equals_the_naive_one_for_random_batches_every_k_and_bucket_counts()
    {
        await using var service = new TradeStatFactory();
        using var client = service.CreateApiClient();
        var random = new Random(7);
        var naive = new NaiveSeries();
        for (var batch = 0; batch < 12; batch++)
        {
            var values = Enumerable.Range(0, random.Next(1, 10_001)).Select(_ => Math.Round(random.NextDouble() * 1000, random.Next(0, 5))).ToArray();
            (await client.PostAsync("/add_batch/", new StringContent(JsonSerializer.Serialize(new { symbol = "ENV", values }), System.Text.Encoding.UTF8, "application/json")))
                .StatusCode.Should().Be(HttpStatusCode.OK);
            naive.AddRange(values);

            var k = random.Next(SeriesLimits.MinK, SeriesLimits.MaxK + 1);
            var buckets = random.Next(1, 2_000);
            using var doc = JsonDocument.Parse(await client.GetStringAsync($"/envelope/?symbol=ENV&k={k}&buckets={buckets}"));
            var expected = naive.Envelope(WindowLevel.Create(k).Window, buckets);
            var root = doc.RootElement;
            root.GetProperty("symbol").GetString().Should().Be("ENV");
            root.GetProperty("k").GetInt32().Should().Be(k);
            root.GetProperty("count").GetInt64().Should().Be(expected.Count);
            root.GetProperty("start").GetInt64().Should().Be(expected.Start);
            root.GetProperty("buckets").GetInt32().Should().Be(expected.Buckets);
            root.GetProperty("min").EnumerateArray().Select(e => e.GetDouble()).Should().Equal(expected.Min);
            root.GetProperty("max").EnumerateArray().Select(e => e.GetDouble()).Should().Equal(expected.Max);
        }
    }

    [TestCase("symbol=A&k=1", "buckets")]
    [TestCase("symbol=A&k=1&buckets=0", "buckets")]
    [TestCase("symbol=A&k=1&buckets=4097", "buckets")]
    [TestCase("symbol=A&k=1&buckets=1.5", "buckets")]
    [TestCase("symbol=A&k=1&buckets=10&buckets=20", "buckets")]
    [TestCase("symbol=A&k=9&buckets=10", "k")]
    [TestCase("k=1&buckets=10", "symbol")]
    [TestCase("symbol=%3Cb%3E&k=1&buckets=10", "symbol")]
    public async Task An_invalid_query_is_a_validation_problem_naming_the_parameter(string query, string parameter)
    {
        await using var service = new TradeStatFactory();
        using var client = service.CreateApiClient();

        using var answer = await client.GetAsync($"/envelope/?{query}");

        answer.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        answer.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        using var doc = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        doc.RootElement.GetProperty("errors").TryGetProperty(parameter, out _).Should().BeTrue();
    }

    [Test]
    public async Task A_symbol_without_data_is_not_found()
    {
        await using var service = new TradeStatFactory();
        using var client = service.CreateApiClient();

        (await client.GetAsync("/envelope/?symbol=NONE&k=1&buckets=10")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task The_openapi_document_lists_the_envelope_and_its_three_parameters()
    {
        await using var service = new TradeStatFactory();
        using var client = service.CreateApiClient();

        using var doc = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var paths = doc.RootElement.GetProperty("paths");
        var get = paths.GetProperty("/envelope").GetProperty("get");
        get.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).Should().BeEquivalentTo("symbol", "k", "buckets");
        get.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").ValueKind.Should().Be(JsonValueKind.Object);
        paths.EnumerateObject().Select(p => p.Name).Should().NotContain(name => name.StartsWith("/dashboard", StringComparison.Ordinal), "the live streams are the page's, not the API's");
    }
}
