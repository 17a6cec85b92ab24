using System.Buffers;
using BenchmarkDotNet.Attributes;
using TradeStat.Api.ActionResults;
using TradeStat.Api.Requests;
using TradeStat.Api.Responses;
using TradeStat.Api.Validation;

namespace TradeStat.Benchmarks.Series;

/// <summary>
/// The HTTP layer's own work in one <c>GET /stats/</c>, piece by piece: validating the query with the
/// FluentValidation validator, and formatting the answer. (The framework's share is measured by perf/load/load.sh.)
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class StatsPathBenchmarks
{
    private readonly StatsQueryValidator _validator = new();
    private readonly StatsQuery _query = new() { Symbol = "BTCUSDT", K = "5" };
    private readonly ArrayBufferWriter<byte> _output = new(256);

    // As a real answer: min, max and last are prices as sent (here 2 decimals), avg and var full-precision doubles.
    private readonly StatsJsonResult _answer = new(new StatsResponse("BTCUSDT", 5, 100_000, 61_234.51, 64_321.25, 63_000.12, 62_876.063817234561, 1_234_567.8912345678));

    [Benchmark(Description = "validate query (FluentValidation)")]
    public bool Validate() => _validator.Validate(_query).IsValid;

    [Benchmark(Description = "format answer (Utf8JsonWriter)")]
    public int Format()
    {
        _output.ResetWrittenCount();
        _answer.Write(_output);
        return _output.WrittenCount;
    }
}
