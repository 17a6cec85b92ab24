using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using TradeStat.Api.Formatting;

namespace TradeStat.Benchmarks.Series;

/// <summary>Request-body parsing cost per value for a 10,000-value add_batch body, beside JsonSerializer.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class ParseBenchmarks
{
    private const int Values = 10_000;
    private byte[] _body = null!;

    [GlobalSetup]
    public void Setup()
    {
        var values = SeriesData.PriceBatch(1, Values);
        var json = new StringBuilder("{\"symbol\":\"BTCUSDT\",\"values\":[");
        for (var i = 0; i < values.Length; i++)
        {
            json.Append(i == 0 ? "" : ",").Append(values[i].ToString("R", CultureInfo.InvariantCulture));
        }

        _body = Encoding.UTF8.GetBytes(json.Append("]}").ToString());
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Values, Description = "JsonSerializer.Deserialize (ns/value)")]
    public int JsonSerializerDeserialize() => JsonSerializer.Deserialize<BatchDto>(_body, JsonSerializerOptions.Web)!.Values.Length;

    [Benchmark(OperationsPerInvoke = Values, Description = "AddBatchRequestParser (ns/value)")]
    public int TradeStatParser()
    {
        AddBatchRequestParser.TryParse(new ReadOnlySequence<byte>(_body), out var request, out _);
        using (request)
        {
            return request!.ValueCount;
        }
    }

    public sealed record BatchDto(string Symbol, double[] Values);
}
