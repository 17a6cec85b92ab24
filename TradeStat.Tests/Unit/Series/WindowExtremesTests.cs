using TradeStat.Infrastructure.Series;

namespace TradeStat.Tests.Unit.Series;

[TestFixture]
[Category("Unit")]
public sealed class WindowExtremesTests
{
    private static readonly long[] Windows = [1, 2, 3, 5, 16, 100, 777];

    public enum Shape
    {
        Random,
        FewDistinct,
        Increasing,
        Decreasing,
        Zigzag,
        Converging,
    }

    private static double Value(Random random, Shape shape, int i) => shape switch
    {
        Shape.Random => random.NextDouble(),
        Shape.FewDistinct => random.Next(3),
        Shape.Increasing => i,
        Shape.Decreasing => -i,
        Shape.Zigzag => i % 2 == 0 ? i : -i,
        Shape.Converging => i % 2 == 0 ? i / 2 : 10_000 - (i / 2),
        _ => throw new ArgumentOutOfRangeException(nameof(shape)),
    };

    [Test]
    public void Every_window_reports_the_naive_extreme_after_every_push(
        [Values] Shape shape,
        [Values(1, 2, 3)] int seed)
    {
        var random = new Random(seed);
        var values = new ChunkedRing<double>(1000, chunkShift: 3);
        var min = new WindowExtremes(isMax: false, Windows);
        var max = new WindowExtremes(isMax: true, Windows);
        var all = new List<double>();

        for (var i = 0; i < 3_000; i++)
        {
            var x = Value(random, shape, i);
            values.Set(i, x);
            all.Add(x);
            min.Push(i, x, values);
            max.Push(i, x, values);

            for (var level = 0; level < Windows.Length; level++)
            {
                var start = (int)Math.Max(0, i - Windows[level] + 1);
                var window = all.GetRange(start, i - start + 1);
                values[min.ExtremeIndex(level, i)].Should().Be(window.Min(), $"min, i={i}, w={Windows[level]}");
                values[max.ExtremeIndex(level, i)].Should().Be(window.Max(), $"max, i={i}, w={Windows[level]}");
                min.ExtremeIndex(level, i).Should().BeInRange(start, i);
            }
        }

        min.Length.Should().BeLessThanOrEqualTo(Windows[^1]);
        max.Length.Should().BeLessThanOrEqualTo(Windows[^1]);
    }

    [Test]
    public void Deque_keeps_only_candidates()
    {
        var values = new ChunkedRing<double>(100, chunkShift: 3);
        var min = new WindowExtremes(isMax: false, [10, 100]);
        for (var i = 0; i < 1000; i++)
        {
            values.Set(i, -i); // decreasing: each new point beats all older ones
            min.Push(i, -i, values);
        }

        min.Length.Should().Be(1);
    }
}
