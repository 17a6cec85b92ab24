using TradeStat.Infrastructure.Series;
using TradeStat.Tests.Support;
using static TradeStat.Tests.Support.TestData;

namespace TradeStat.Tests.Unit.Infrastructure.Series;

[TestFixture]
[Category("Unit")]
public sealed class RunSummarizerTests
{
    private static IEnumerable<TestCaseData> Seeds() =>
        Enumerable.Range(1, 12).Select(seed => new TestCaseData(seed).SetArgDisplayNames($"seed {seed}"));

    [TestCaseSource(nameof(Seeds))]
    public void Vector_lanes_agree_with_the_scalar_loop_and_the_exact_statistics(int seed)
    {
        var random = new Random(seed);
        var walk = 100.0;
        for (var length = 1; length <= 200; length++)
        {
            var regime = (Regime)random.Next(6);
            var run = RandomBatch(random, regime, length, ref walk);
            if (random.Next(4) == 0)
            {
                // Signed zeros among the extremes: the newest of equal values must be reported, as the scalar loop does.
                run[random.Next(length)] = 0.0;
                run[random.Next(length)] = -0.0;
            }

            var values = run;
            var vector = RunSummarizer.SummarizeVector(values);
            var scalar = RunSummarizer.SummarizeScalar(values);
            var (mean, variance) = ExactStats.Compute(values);
            var because = $"(seed {seed}, {regime}, length {values.Length})";

            BitConverter.DoubleToInt64Bits(vector.Min).Should().Be(BitConverter.DoubleToInt64Bits(scalar.Min), because);
            BitConverter.DoubleToInt64Bits(vector.Max).Should().Be(BitConverter.DoubleToInt64Bits(scalar.Max), because);
            vector.Moments.Count.Should().Be(values.Length);
            ExactStats.RelativeError(vector.Moments.Mean.Value, mean).Should().BeLessThanOrEqualTo(1e-15, because);
            if (variance == 0)
            {
                vector.Moments.Variance.Should().Be(0, because);
            }
            else
            {
                ExactStats.RelativeError(vector.Moments.Variance, variance).Should().BeLessThanOrEqualTo(1e-13, because);
            }
        }
    }
}
