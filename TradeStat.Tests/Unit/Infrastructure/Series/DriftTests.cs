using TradeStat.Domain.Series;
using TradeStat.Infrastructure.Series;
using TradeStat.Tests.Support;
using static TradeStat.Tests.Support.TestData;

namespace TradeStat.Tests.Unit.Infrastructure.Series;

/// <summary>
/// Streams 10^7 points through small windows and compares with exact rational arithmetic along the way:
/// a rolling aggregate that drifted would fail here long before billions of points.
/// </summary>
[TestFixture]
[Category("Unit")]
public sealed class DriftTests
{
    [Test]
    public void Ten_million_points_through_small_windows_match_exact_arithmetic()
    {
        const int total = 10_000_000;
        const int checkEvery = 20_011; // prime: checks land at every phase of the blocks
        long[] windows = [10, 100, 1000];
        var series = new SymbolSeries(windows);
        var recent = new double[1000];
        var random = new Random(2024);
        var regimes = Enum.GetValues<Regime>();
        var regime = Regime.LargeOffsetTinySpread;
        var walk = 100.0;
        var batch = new double[10_000];
        var checks = 0;

        for (long done = 0; done < total;)
        {
            var size = (int)Math.Min(batch.Length, total - done);
            for (var i = 0; i < size; i++)
            {
                if ((done + i) % 250_000 == 0)
                {
                    regime = regimes[random.Next(regimes.Length)];
                }

                batch[i] = Next(random, regime, ref walk);
                recent[(done + i) % recent.Length] = batch[i];
            }

            series.Append(batch.AsSpan(0, size));
            done += size;

            if (done / checkEvery != (done - size) / checkEvery)
            {
                checks++;
                for (var level = 0; level < windows.Length; level++)
                {
                    var w = (int)windows[level];
                    var window = new double[w];
                    for (var j = 0; j < w; j++)
                    {
                        window[j] = recent[(done - w + j) % recent.Length];
                    }

                    var (mean, variance) = ExactStats.Compute(window);
                    series.TryGetStats(level, out var actual).Should().BeTrue();
                    ExactStats.RelativeError(actual.Avg, mean).Should().BeLessThanOrEqualTo(1e-12, $"avg at {done}, w={w}, {regime}");
                    if (variance == 0)
                    {
                        actual.Var.Should().Be(0);
                    }
                    else
                    {
                        ExactStats.RelativeError(actual.Var, variance).Should().BeLessThanOrEqualTo(1e-9, $"var at {done}, w={w}, {regime}");
                    }
                }
            }
        }

        series.Count.Should().Be(total);
        checks.Should().BeGreaterThan(400);
    }

    [Test]
    [Category("Slow")]
    public void The_largest_window_rolls_over_exactly_after_more_than_ten_to_the_eight_points()
    {
        // Integer-valued data: the exact window sums fit in Int128, so the reference needs no big numbers.
        const long total = SeriesLimits.MaxWindow + 3_456_789;
        static double Value(long i) => ((i * 2_654_435_761L) % 1_000_003L) - 500_000 + (i / 1_000_000);

        var series = new SymbolSeries(SymbolSeries.DecadeWindows());
        var batch = new double[10_000];
        for (long done = 0; done < total;)
        {
            var size = (int)Math.Min(batch.Length, total - done);
            for (var i = 0; i < size; i++)
            {
                batch[i] = Value(done + i);
            }

            series.Append(batch.AsSpan(0, size));
            done += size;
        }

        for (var k = 5; k <= SeriesLimits.MaxK; k++)
        {
            var w = WindowLevel.Create(k).Window;
            Int128 s1 = 0, s2 = 0;
            double min = double.MaxValue, max = double.MinValue;
            for (var i = total - w; i < total; i++)
            {
                var v = Value(i);
                s1 += (Int128)v;
                s2 += (Int128)v * (Int128)v;
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }

            var (mean, variance) = ExactStats.FromSums(
                w,
                ExactStats.ToScaledInteger(1.0) * (System.Numerics.BigInteger)s1,
                ExactStats.ToScaledInteger(1.0) * ExactStats.ToScaledInteger(1.0) * (System.Numerics.BigInteger)s2);

            series.TryGetStats(k - 1, out var actual).Should().BeTrue();
            actual.Count.Should().Be(w);
            actual.Min.Should().Be(min);
            actual.Max.Should().Be(max);
            actual.Last.Should().Be(Value(total - 1));
            ExactStats.RelativeError(actual.Avg, mean).Should().BeLessThanOrEqualTo(1e-12, $"k={k}");
            ExactStats.RelativeError(actual.Var, variance).Should().BeLessThanOrEqualTo(1e-9, $"k={k}");
        }
    }
}
