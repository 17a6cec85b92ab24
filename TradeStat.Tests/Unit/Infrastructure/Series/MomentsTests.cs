using TradeStat.Infrastructure.Series;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Unit.Infrastructure.Series;

[TestFixture]
[Category("Unit")]
public sealed class MomentsTests
{
    [Test]
    public void Merging_random_partitions_matches_exact_statistics([Range(1, 30)] int seed)
    {
        var random = new Random(seed);
        var scale = Math.Pow(10, random.Next(-6, 12));
        var offset = random.Next(2) == 0 ? 0 : Math.Pow(10, random.Next(0, 10));
        var values = Enumerable.Range(0, random.Next(2, 500)).Select(_ => offset + (random.NextDouble() * scale)).ToArray();

        // Split at random points, summarise each part, merge left to right.
        var parts = new List<Moments>();
        var from = 0;
        for (var i = 1; i <= values.Length; i++)
        {
            if (i == values.Length || random.Next(10) == 0)
            {
                parts.Add(RunSummarizer.Summarize(values.AsSpan(from, i - from)).Moments);
                from = i;
            }
        }

        var merged = parts.Aggregate(Moments.Empty, (a, b) => Moments.Merge(a, b));
        var (mean, variance) = ExactStats.Compute(values);

        merged.Count.Should().Be(values.Length);
        ExactStats.RelativeError(merged.Mean.Value, mean).Should().BeLessThanOrEqualTo(1e-14);
        ExactStats.RelativeError(merged.Variance, variance).Should().BeLessThanOrEqualTo(1e-12);
    }

    [Test]
    public void Merging_with_empty_is_identity()
    {
        var m = RunSummarizer.Summarize([3.0, 5.0]).Moments;
        Moments.Merge(m, Moments.Empty).Should().Be(m);
        Moments.Merge(Moments.Empty, m).Should().Be(m);
        m.Variance.Should().Be(1.0);
        m.Mean.Value.Should().Be(4.0);
    }
}
