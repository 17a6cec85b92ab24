using TradeStat.Domain.Series;
using TradeStat.Infrastructure.Series;
using TradeStat.Tests.Support;
using static TradeStat.Tests.Support.TestData;

namespace TradeStat.Tests.Unit.Infrastructure.Series;

[TestFixture]
[Category("Unit")]
public sealed class SymbolSeriesTests
{
    // Every window kind: summed at read time (≤ 64), sub-block units (< 8192), block units (≥ 8192).
    private static readonly long[] SmallWindows = [1, 2, 7, 10, 63, 64, 65, 100, 128, 1000, 4097, 8192, 12_345];

    private static IEnumerable<TestCaseData> Seeds() =>
        Enumerable.Range(1, 24).Select(seed => new TestCaseData(seed).SetArgDisplayNames($"seed {seed}"));

    [TestCaseSource(nameof(Seeds))]
    public void Decade_levels_match_the_naive_reference_for_random_batches(int seed)
    {
        var random = new Random(seed);
        var regime = (Regime)(seed % Enum.GetValues<Regime>().Length);
        var series = new SymbolSeries(SymbolSeries.DecadeWindows(), chunkShift: 6 + (seed % 5));
        var naive = new NaiveSeries();
        var walk = 100.0;

        // Batch sizes from 1 to 10,000, crossing chunk and block boundaries at every level.
        for (var batchNo = 0; naive.Count < 40_000; batchNo++)
        {
            var size = batchNo % 4 == 3 ? random.Next(1, 10_001) : random.Next(1, 300);
            var batch = RandomBatch(random, regime, size, ref walk);
            series.Append(batch).Should().Be(naive.Count + size);
            naive.AddRange(batch);

            for (var k = SeriesLimits.MinK; k <= SeriesLimits.MaxK; k++)
            {
                series.TryGetStats(k - 1, out var actual).Should().BeTrue();
                actual.ShouldMatch(naive.Stats(WindowLevel.Create(k).Window), $"(seed {seed}, {regime}, k={k}, n={naive.Count})");
            }
        }
    }

    [TestCaseSource(nameof(Seeds))]
    public void Small_windows_roll_correctly_through_many_blocks_with_regime_changes(int seed)
    {
        var random = new Random(seed);
        var series = new SymbolSeries(SmallWindows, chunkShift: 6);
        var naive = new NaiveSeries();
        var regimes = Enum.GetValues<Regime>();
        var walk = 100.0;

        for (var batchNo = 0; naive.Count < 40_000; batchNo++)
        {
            var regime = regimes[random.Next(regimes.Length)];
            var batch = RandomBatch(random, regime, random.Next(1, 400), ref walk);
            series.Append(batch);
            naive.AddRange(batch);

            for (var level = 0; level < SmallWindows.Length; level++)
            {
                series.TryGetStats(level, out var actual).Should().BeTrue();
                actual.ShouldMatch(naive.Stats(SmallWindows[level]), $"(seed {seed}, w={SmallWindows[level]}, n={naive.Count})");
            }
        }
    }

    [Test]
    public void Every_single_point_is_checked_for_small_windows()
    {
        var random = new Random(7);
        var series = new SymbolSeries(SmallWindows, chunkShift: 7);
        var naive = new NaiveSeries();
        var walk = 100.0;
        for (var i = 0; i < 20_000; i++)
        {
            var x = Next(random, (Regime)(i / 2500 % 6), ref walk);
            series.Append([x]);
            naive.Add(x);
            for (var level = 0; level < SmallWindows.Length; level++)
            {
                series.TryGetStats(level, out var actual).Should().BeTrue();
                actual.ShouldMatch(naive.Stats(SmallWindows[level]), $"(i={i}, w={SmallWindows[level]})");
            }
        }
    }

    [Test]
    public void A_window_of_identical_values_has_exactly_zero_variance_and_exact_mean()
    {
        var series = new SymbolSeries(SymbolSeries.DecadeWindows(), chunkShift: 6);
        series.Append([1e-3, 5e9, -7, 0.1, 1e300]);
        series.Append(Enumerable.Repeat(0.1, 100).ToArray());

        for (var level = 0; level < 2; level++)
        {
            series.TryGetStats(level, out var stats).Should().BeTrue();
            stats.Var.Should().Be(0.0);
            stats.Avg.Should().Be(0.1);
            stats.Min.Should().Be(0.1);
            stats.Max.Should().Be(0.1);
        }

        series.TryGetStats(2, out var wider).Should().BeTrue();
        wider.Count.Should().Be(105);
        wider.Var.Should().BeGreaterThan(0);
    }

    [Test]
    public void Large_offset_with_tiny_spread_keeps_full_relative_accuracy()
    {
        var random = new Random(42);
        var series = new SymbolSeries(SymbolSeries.DecadeWindows());
        var naive = new NaiveSeries();
        for (var i = 0; i < 25; i++)
        {
            var batch = new double[10_000];
            for (var j = 0; j < batch.Length; j++)
            {
                batch[j] = 1e9 + (random.NextDouble() * 1e-3);
            }

            series.Append(batch);
            naive.AddRange(batch);
        }

        for (var k = 1; k <= 6; k++)
        {
            series.TryGetStats(k - 1, out var actual).Should().BeTrue();
            var expected = naive.Stats(WindowLevel.Create(k).Window);
            expected.Var.Should().BeInRange(1e-8, 1e-7, "the spread is 1e-3");
            actual.ShouldMatch(expected, $"k={k}");
        }
    }

    [Test]
    public void Values_near_the_double_limits_never_produce_nan_or_negative_variance()
    {
        var series = new SymbolSeries([2, 3, 10]);
        series.Append([double.MaxValue, -double.MaxValue, 5e-324, -5e-324, 1e300, -1e300, 0.0, -0.0]);
        for (var level = 0; level < 3; level++)
        {
            series.TryGetStats(level, out var stats).Should().BeTrue();
            double.IsFinite(stats.Avg).Should().BeTrue();
            double.IsFinite(stats.Var).Should().BeTrue();
            stats.Var.Should().BeGreaterThanOrEqualTo(0);
            stats.Avg.Should().BeInRange(stats.Min, stats.Max);
        }
    }

    [Test]
    public void Huge_values_keep_an_exact_average_even_when_sums_would_overflow()
    {
        // Every 4th value 1.1e308, the rest 1e308: n·mean overflows a double long before the window is full.
        var series = new SymbolSeries([10, 100, 10_000]);
        var naive = new NaiveSeries();
        var values = Enumerable.Range(0, 20_000).Select(i => i % 4 == 3 ? 1.1e308 : 1e308).ToArray();
        series.Append(values);
        naive.AddRange(values);

        for (var level = 0; level < 3; level++)
        {
            series.TryGetStats(level, out var stats).Should().BeTrue();
            var expected = naive.Stats(new long[] { 10, 100, 10_000 }[level]);
            ExactStats.RelativeError(stats.Avg, expected.Avg).Should().BeLessThanOrEqualTo(1e-12, $"level {level}");
            stats.Var.Should().Be(double.MaxValue, "the exact variance (~1.9e613) is beyond a double: it saturates");
        }
    }

    /// <summary>Squared deviations overflow a double, yet the exact variance fits in one: it must be exact.</summary>
    [TestCase(new[] { -1e154, 1e154, 0, 0, 0, 0, 0, 0, 0, 0 })]
    [TestCase(new[] { 0, 1.5e154 })]
    [TestCase(new[] { 1e154, -1e154 })]
    [TestCase(new[] { 1.3e154, -1.3e154, 0, 3e140 })]
    public void Variance_is_exact_when_representable_even_if_squares_overflow(double[] values)
    {
        var series = new SymbolSeries([10, 100, 10_000]);
        var naive = new NaiveSeries();
        series.Append(values);
        naive.AddRange(values);
        var expected = naive.Stats(10);
        double.IsFinite(expected.Var).Should().BeTrue("the case is chosen so that the exact variance fits a double");
        series.TryGetStats(0, out var actual).Should().BeTrue();
        actual.ShouldMatch(expected);
    }

    /// <summary>Each sub-block's M2 fits a double, but their sum over a long window does not: merges must rescale.</summary>
    [TestCase(1e153)]
    [TestCase(5e152)]
    [TestCase(3e140)]
    public void Variance_of_long_windows_of_huge_values_is_exact_when_representable(double amplitude)
    {
        long[] windows = [10, 100, 1_000, 8_192, 12_345];
        var series = new SymbolSeries(windows);
        var naive = new NaiveSeries();
        var values = Enumerable.Range(0, 30_000).Select(i => i % 2 == 0 ? amplitude : -amplitude).ToArray();
        series.Append(values);
        naive.AddRange(values);
        for (var level = 0; level < windows.Length; level++)
        {
            var expected = naive.Stats(windows[level]);
            double.IsFinite(expected.Var).Should().BeTrue();
            series.TryGetStats(level, out var actual).Should().BeTrue();
            actual.ShouldMatch(expected, $"(w={windows[level]})");
        }
    }

    [Test]
    public void Huge_and_ordinary_values_mix_within_tolerance_across_merges([Values(1, 2, 3)] int seed)
    {
        // A few huge sub-blocks in long windows of ordinary values: the windows' variances stay representable.
        var random = new Random(seed);
        var series = new SymbolSeries([10, 100, 1_000, 10_000]);
        var naive = new NaiveSeries();
        for (var batch = 0; batch < 30; batch++)
        {
            var huge = random.Next(6) == 0;
            var values = Enumerable.Range(0, 700).Select(_ => huge ? (random.NextDouble() - 0.5) * 1e153 : random.NextDouble()).ToArray();
            series.Append(values);
            naive.AddRange(values);
            long[] windows = [10, 100, 1_000, 10_000];
            for (var level = 0; level < windows.Length; level++)
            {
                var expected = naive.Stats(windows[level]);
                series.TryGetStats(level, out var actual).Should().BeTrue();
                actual.ShouldMatch(expected, $"(batch {batch}, w={windows[level]})");
            }
        }
    }

    [Test]
    public void Storage_is_bounded_and_grows_with_the_points_held()
    {
        // Windows up to 1000 with 64-value chunks: at most (1000 + block + sub-block) / 64 + 3 chunks.
        var series = new SymbolSeries([10, 1000], chunkShift: 6);
        series.AllocatedChunks.Should().Be(0);
        series.Append(new double[64]);
        series.AllocatedChunks.Should().Be(0, "the newest sub-block is stored once it is finished, when the next value comes");
        series.Append([1.0]);
        series.AllocatedChunks.Should().Be(1);

        var batch = new double[10_000];
        for (var i = 0; i < 100; i++)
        {
            series.Append(batch);
        }

        series.AllocatedChunks.Should().BeLessThanOrEqualTo(((1000 + 4096 + 64) / 64) + 3);
    }

    [TestCase(Regime.Prices, 4)]
    [TestCase(Regime.Integers, 4)]
    [TestCase(Regime.Uniform, 8)]
    public void Stored_values_take_four_bytes_each_when_they_are_short_decimals_and_eight_otherwise(Regime regime, int bytesPerValue)
    {
        // Windows up to 10^6 held in full (10^6 + block + sub-block values, in 64 Ki chunks, plus the slots' margin).
        var series = new SymbolSeries([10, 1_000_000]);
        var random = new Random(11);
        var walk = 100.0;
        for (var i = 0; i < 300; i++)
        {
            series.Append(RandomBatch(random, regime, 10_000, ref walk));
        }

        var chunks = series.AllocatedChunks;
        chunks.Should().BeLessThanOrEqualTo((1_004_160 >> 16) + 3);
        var perValue = (double)series.AllocatedBytes / ((long)chunks << 16);
        perValue.Should().BeInRange(bytesPerValue, bytesPerValue + 0.02, $"{regime}");
    }

    [Test]
    public void Empty_series_has_no_stats()
    {
        var series = new SymbolSeries(SymbolSeries.DecadeWindows());
        series.TryGetStats(0, out _).Should().BeFalse();
        series.Count.Should().Be(0);
    }
}
