using System.Buffers;
using System.Text;
using System.Text.Json;
using TradeStat.Api.ActionResults;
using TradeStat.Api.Responses;

namespace TradeStat.Tests.Unit.Api.ActionResults;

[TestFixture]
[Category("Unit")]
public sealed class StatsJsonResultTests
{
    private static IEnumerable<TestCaseData> Seeds() =>
        Enumerable.Range(1, 8).Select(seed => new TestCaseData(seed).SetArgDisplayNames($"seed {seed}"));

    [TestCaseSource(nameof(Seeds))]
    public void The_answer_is_the_bytes_the_source_generated_serializer_writes(int seed)
    {
        var random = new Random(seed);
        var options = new JsonSerializerOptions { TypeInfoResolver = ApiJsonContext.Default };
        var buffer = new ArrayBufferWriter<byte>();
        for (var i = 0; i < 2_000; i++)
        {
            var response = new StatsResponse(
                "SYM." + random.Next(100), random.Next(1, 9), random.NextInt64(1, 100_000_001), Any(random), Any(random), Any(random), Any(random), Any(random));

            buffer.ResetWrittenCount();
            new StatsJsonResult(response).Write(buffer);

            Encoding.UTF8.GetString(buffer.WrittenSpan).Should().Be(JsonSerializer.Serialize(response, options));
        }
    }

    /// <summary>Prices with 0–9 decimals, tiny values (exponent notation), any finite double, -0.0, eighths.</summary>
    private static double Any(Random random) => random.Next(5) switch
    {
        0 => Math.Round((random.NextDouble() * 200_000) - 100_000, random.Next(0, 10)),
        1 => random.NextDouble() * 1e-3,
        2 => BitConverter.Int64BitsToDouble(random.NextInt64()) is var x && double.IsFinite(x) ? x : double.MaxValue,
        3 => -0.0,
        _ => random.Next(-1000, 1000) / 8.0,
    };
}
