using TradeStat.Infrastructure.Series;

namespace TradeStat.Tests.Unit.Infrastructure.Series;

[TestFixture]
[Category("Unit")]
public sealed class MonotonicDequeTests
{
    public enum Shape
    {
        Random,
        FewDistinct,
        Increasing,
        Decreasing,
        Converging,
    }

    [Test]
    public void Sliding_extremes_match_a_naive_scan([Values] Shape shape, [Values(1, 5, 64)] int window, [Values(1, 2)] int seed)
    {
        var random = new Random(seed);
        var min = new MonotonicDeque(isMax: false);
        var max = new MonotonicDeque(isMax: true);
        var all = new List<double>();
        for (var i = 0; i < 2_000; i++)
        {
            double x = shape switch
            {
                Shape.Random => random.NextDouble(),
                Shape.FewDistinct => random.Next(3),
                Shape.Increasing => i,
                Shape.Decreasing => -i,
                _ => i % 2 == 0 ? i : 10_000 - i,
            };
            all.Add(x);
            min.Push(i, x);
            max.Push(i, x);
            min.ExpireThrough(i - window);
            max.ExpireThrough(i - window);

            var from = Math.Max(0, i - window + 1);
            var slice = all.GetRange(from, i - from + 1);
            min.Extreme.Should().Be(slice.Min(), $"i={i}");
            max.Extreme.Should().Be(slice.Max(), $"i={i}");
            min.Count.Should().BeLessThanOrEqualTo(window);
        }
    }

    [Test]
    public void Ties_keep_the_newest_entry()
    {
        var min = new MonotonicDeque(isMax: false);
        min.Push(0, 0.0);
        min.Push(1, -0.0);
        min.Count.Should().Be(1);
        double.IsNegative(min.Extreme).Should().BeTrue();
    }
}
