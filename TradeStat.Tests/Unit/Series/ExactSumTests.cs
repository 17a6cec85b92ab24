using System.Numerics;
using TradeStat.Infrastructure.Series;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Unit.Series;

[TestFixture]
[Category("Unit")]
public sealed class ExactSumTests
{
    private static IEnumerable<TestCaseData> Seeds() =>
        Enumerable.Range(1, 16).Select(seed => new TestCaseData(seed).SetArgDisplayNames($"seed {seed}"));

    [TestCaseSource(nameof(Seeds))]
    public void Adds_and_subtracts_exactly_like_big_integers_over_every_magnitude(int seed)
    {
        var random = new Random(seed);
        var sum = new ExactSum(opsBeforeCarry: 1 + (seed * 7 % 50)); // carries exercised often
        var reference = BigInteger.Zero;
        for (var round = 0; round < 200; round++)
        {
            var values = new double[random.Next(1, 40)];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = AnyFinite(random);
            }

            var subtract = random.Next(3) == 0;
            if (subtract)
            {
                sum.Subtract(values);
            }
            else
            {
                sum.Add(values);
            }

            foreach (var v in values)
            {
                reference += subtract ? -ExactStats.ToScaledInteger(v) : ExactStats.ToScaledInteger(v);
            }

            sum.ToScaledInteger().Should().Be(reference, $"round {round}");
        }
    }

    [TestCaseSource(nameof(Seeds))]
    public void Divides_to_the_correctly_rounded_double_within_an_ulp(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 200; round++)
        {
            var values = new double[random.Next(1, 30)];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = AnyFinite(random);
            }

            var sum = new ExactSum();
            sum.Add(values);
            var (exactMean, _) = ExactStats.Compute(values);
            var mean = sum.DivideBy(values.Length);
            ExactStats.RelativeError(mean, exactMean).Should().BeLessThanOrEqualTo(1e-15, $"{mean:R} vs {exactMean:R}");
        }
    }

    [Test]
    public void Total_cancellation_leaves_the_small_values_exactly()
    {
        var sum = new ExactSum();
        sum.Add([1e20, 1.1, 3e-30, -1.1, -1e20]);
        sum.DivideBy(5).Should().Be(6e-31);

        sum.Add([double.MaxValue, double.MaxValue, -double.MaxValue, -double.MaxValue, double.Epsilon]);
        sum.ToScaledInteger().Should().Be(ExactStats.ToScaledInteger(3e-30) + BigInteger.One);

        sum.Clear();
        sum.DivideBy(3).Should().Be(0.0);
    }

    /// <summary>Finite doubles of every kind: subnormal, tiny, ordinary, huge, ±0, ±MaxValue.</summary>
    private static double AnyFinite(Random random)
    {
        var sign = random.Next(2) == 0 ? 1.0 : -1.0;
        return random.Next(10) switch
        {
            0 => sign * double.Epsilon * random.Next(1, 1 << 20),
            1 => sign * double.MaxValue * (0.5 + (random.NextDouble() / 2)),
            2 => random.Next(2) == 0 ? 0.0 : -0.0,
            3 => sign * Math.Round(random.NextDouble() * 100_000, 2),
            _ => sign * Math.ScaleB(1.0 + random.NextDouble(), random.Next(-1074, 1024)),
        };
    }
}
