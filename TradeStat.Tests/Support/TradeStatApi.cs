using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace TradeStat.Tests.Support;

/// <summary>Calls of the TradeStat HTTP API, shared by the in-memory and the real-process suites.</summary>
public static class TradeStatApi
{
    /// <summary>A valid 32-character symbol that no other test uses; <paramref name="prefix"/> at most 16 characters.</summary>
    public static string UniqueSymbol(string prefix = "T") => $"{prefix}-{Guid.NewGuid():N}"[..32];

    /// <summary>The JSON body of a batch; doubles are written round-trippably (<c>-0</c>, <c>5E-324</c>).</summary>
    public static string BatchBody(string symbol, IEnumerable<double> values) =>
        JsonSerializer.Serialize(new Dictionary<string, object> { ["symbol"] = symbol, ["values"] = values.ToArray() });

    /// <summary>A batch body whose values array is spliced in verbatim, for tokens a serializer would never write.</summary>
    public static string RawBatchBody(string symbol, string rawValues) =>
        $$"""{"symbol": {{JsonSerializer.Serialize(symbol)}}, "values": {{rawValues}}}""";

    /// <summary>POST /add_batch/ with a JSON body.</summary>
    public static Task<HttpResponseMessage> PostBatchAsync(this HttpClient client, string symbol, IEnumerable<double> values) =>
        client.PostRawAsync(BatchBody(symbol, values));

    /// <summary>POST <paramref name="path"/> with exactly these bytes and this Content-Type (none when null).</summary>
    public static Task<HttpResponseMessage> PostRawAsync(
        this HttpClient client, string body, string? contentType = "application/json", string path = "/add_batch/")
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return client.PostAsync(path, content);
    }

    /// <summary>GET /stats/ with the parameters escaped.</summary>
    public static Task<HttpResponseMessage> GetStatsAsync(this HttpClient client, string symbol, int k) =>
        client.GetAsync($"/stats/?symbol={Uri.EscapeDataString(symbol)}&k={k.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>Asserts a 200 from add_batch and returns its <c>count</c>.</summary>
    public static async Task<long> AddBatchAsync(this HttpClient client, string symbol, IEnumerable<double> values)
    {
        var array = values.ToArray();
        using var response = await client.PostBatchAsync(symbol, array);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK, body);
        var result = AddBatchResult.Parse(body);
        result.Symbol.Should().Be(symbol);
        result.Added.Should().Be(array.Length);
        return result.Count;
    }

    /// <summary>Asserts a 200 from stats and returns the parsed body.</summary>
    public static async Task<StatsResult> StatsAsync(this HttpClient client, string symbol, int k)
    {
        using var response = await client.GetStatsAsync(symbol, k);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK, body);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/json");
        return StatsResult.Parse(body);
    }
}
