using TradeStat.Domain.Series;

namespace TradeStat.Tests.Unit.Domain.Series;

[TestFixture]
[Category("Unit")]
public sealed class WindowLevelTests
{
    [Test]
    public void Every_k_from_1_to_8_is_a_level_of_10_to_the_k_points()
    {
        for (var k = 1; k <= 8; k++)
        {
            WindowLevel.TryCreate(k, out var level).Should().BeTrue();
            level.K.Should().Be(k);
            level.Index.Should().Be(k - 1);
            level.Window.Should().Be((long)Math.Pow(10, k));
            WindowLevel.Create(k).Should().Be(level);
        }

        WindowLevel.Create(SeriesLimits.MaxK).Window.Should().Be(SeriesLimits.MaxWindow);
    }

    [TestCase(0)]
    [TestCase(9)]
    [TestCase(-1)]
    [TestCase(int.MaxValue)]
    [TestCase(int.MinValue)]
    public void K_outside_1_to_8_is_no_level(int k)
    {
        WindowLevel.TryCreate(k, out _).Should().BeFalse();
        FluentActions.Invoking(() => WindowLevel.Create(k)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Test]
    public void The_default_level_is_the_smallest_so_no_level_is_ever_invalid() =>
        default(WindowLevel).Should().Be(WindowLevel.Create(SeriesLimits.MinK));
}
