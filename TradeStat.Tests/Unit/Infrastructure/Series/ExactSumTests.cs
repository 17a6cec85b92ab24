using System.Numerics;
using TradeStat.Infrastructure.Series;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Unit.Infrastructure.Series;

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
    public void Divides_to_the_correctly_rounded_double(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 300; round++)
        {
            var values = new double[random.Next(1, 30)];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = round % 3 == 0 ? double.Epsilon * random.Next(0, 1 << 30) : AnyFinite(random);
            }

            var sum = new ExactSum();
            sum.Add(values);
            var count = random.Next(3) == 0 ? random.Next(1, 1_000_000) : values.Length;
            var expected = CorrectlyRounded(sum.ToScaledInteger(), count);
            var actual = sum.DivideBy(count);
            BitConverter.DoubleToInt64Bits(actual).Should().Be(BitConverter.DoubleToInt64Bits(expected), $"{actual:R} vs {expected:R} (round {round})");
        }
    }

    [Test]
    public void Ties_and_subnormal_quotients_round_once_to_the_nearest_even()
    {
        // Sticky bits below the top 64, and double rounding in the subnormal range.
        var normal = new ExactSum();
        normal.Add([1.0000000000224225, 1.0000000001632434, 1.0000000000169906, 1.0000000001712916]);
        normal.DivideBy(934_396).Should().Be(CorrectlyRounded(normal.ToScaledInteger(), 934_396));

        var tiny = new ExactSum();
        var unit = double.Epsilon;
        tiny.Add([((1L << 51) + 1) * unit, ((1L << 51) + 1) * unit, ((1L << 51) + 2) * unit]);
        tiny.DivideBy(3).Should().Be(((1L << 51) + 1) * unit);

        var half = new ExactSum();
        half.Add([double.Epsilon, 0.0]);
        half.DivideBy(2).Should().Be(0.0, "2^-1075 is a tie between 0 and 2^-1074: the even one");
        half.Add([double.Epsilon, double.Epsilon]);
        half.DivideBy(2).Should().Be(2 * double.Epsilon, "1.5 units round to the even 2");
    }

    /// <summary>The double nearest to scaled·2^-1074 / count (ties to even), by exact comparison of neighbours.</summary>
    private static double CorrectlyRounded(BigInteger scaled, long count)
    {
        var negative = scaled.Sign < 0;
        var num = BigInteger.Abs(scaled);
        var approx = Math.Abs(ExactStats.FromSums(count, num, num * num).Mean);
        var best = approx;
        BigInteger? bestDistance = null;
        foreach (var candidate in new[] { Math.BitDecrement(approx), approx, Math.BitIncrement(approx) })
        {
            if (candidate < 0 || !double.IsFinite(candidate))
            {
                continue;
            }

            var distance = BigInteger.Abs((ExactStats.ToScaledInteger(candidate) * count) - num);
            if (bestDistance is null || distance < bestDistance
                || (distance == bestDistance && (BitConverter.DoubleToInt64Bits(candidate) & 1) == 0))
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return negative ? -best : best;
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
