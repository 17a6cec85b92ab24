using TradeStat.Domain.Series;
using TradeStat.Infrastructure.Series;
using TradeStat.Tests.Support;
using static TradeStat.Tests.Support.TestData;

namespace TradeStat.Tests.Unit.Infrastructure.Series;

/// <summary>
/// Windows whose mean is the near-total cancellation of much larger values: beyond double-double, answered from
/// an exact sum, and still held to 1e-12 against the rational reference.
/// </summary>
[TestFixture]
[Category("Unit")]
public sealed class CancellingMeanTests
{
    private static readonly long[] Windows = [1, 5, 10, 63, 64, 65, 100, 1000, 4097, 8192, 12_345];

    private static IEnumerable<TestCaseData> Seeds() =>
        Enumerable.Range(1, 12).Select(seed => new TestCaseData(seed).SetArgDisplayNames($"seed {seed}"));

    [Test]
    public void The_documented_example_is_exact_at_every_k()
    {
        var series = new SymbolSeries(SymbolSeries.DecadeWindows());
        series.Append([1e20, 1.1, 3e-30, -1.1, -1e20]);
        for (var level = 0; level < SeriesLimits.LevelCount; level++)
        {
            series.TryGetStats(level, out var stats).Should().BeTrue();
            stats.Avg.Should().Be(6e-31, $"the exact mean at level {level}");
        }
    }

    [TestCaseSource(nameof(Seeds))]
    public void Cancelling_windows_match_the_exact_reference_through_rolling_windows(int seed)
    {
        var random = new Random(seed);
        var series = new SymbolSeries(Windows, chunkShift: 6 + (seed % 4));
        var naive = new NaiveSeries();
        var walk = 100.0;
        for (var batchNo = 0; naive.Count < 30_000; batchNo++)
        {
            var batch = batchNo % 5 == 4
                ? RandomBatch(random, (Regime)random.Next(6), random.Next(1, 200), ref walk)
                : CancellingBatch(random, random.Next(1, 600));
            series.Append(batch);
            naive.AddRange(batch);
            for (var level = 0; level < Windows.Length; level++)
            {
                series.TryGetStats(level, out var actual).Should().BeTrue();
                actual.ShouldMatch(naive.Stats(Windows[level]), $"(seed {seed}, w={Windows[level]}, n={naive.Count})");
            }
        }

        series.ExactPathUse.Reads.Should().BePositive("these windows are beyond double-double");
    }

    [TestCaseSource(nameof(Seeds))]
    public void Cancelling_prices_stored_as_scaled_integers_match_the_exact_reference(int seed)
    {
        // Pairs p, -p of short decimals: every even-aligned window sums to exactly 0, so its mean comes from the
        // exact path, which reads the values back from compact (scaled-integer) chunks.
        var random = new Random(seed);
        var series = new SymbolSeries(Windows, chunkShift: 6 + (seed % 4));
        var naive = new NaiveSeries();
        double[] prices = [123456.789, 0.5, 1.25, 99.99, 2.0001];
        var p = prices[0];
        while (naive.Count < 20_000)
        {
            var batch = new double[random.Next(1, 300)];
            for (var i = 0; i < batch.Length; i++)
            {
                if ((naive.Count + i) % 2 == 0)
                {
                    p = prices[random.Next(prices.Length)];
                    batch[i] = p;
                }
                else
                {
                    batch[i] = -p;
                }
            }

            series.Append(batch);
            naive.AddRange(batch);
            for (var level = 0; level < Windows.Length; level++)
            {
                series.TryGetStats(level, out var actual).Should().BeTrue();
                actual.ShouldMatch(naive.Stats(Windows[level]), $"(seed {seed}, w={Windows[level]}, n={naive.Count})");
            }
        }

        series.ExactPathUse.Reads.Should().BePositive("even-aligned windows have a mean of exactly 0");
        var chunkLength = 1L << (6 + (seed % 4));
        series.AllocatedBytes.Should().BeLessThanOrEqualTo((series.AllocatedChunks * chunkLength * 4) + (series.AllocatedChunks * chunkLength / 64),
            "every chunk holds scaled integers");
    }

    [Test]
    public void The_exact_sum_follows_the_window_incrementally_instead_of_rescanning_it()
    {
        var random = new Random(5);
        var series = new SymbolSeries([10_000]);
        var naive = new NaiveSeries();
        var appended = 0L;
        for (var round = 0; round < 200; round++)
        {
            var batch = CancellingBatch(random, 500);
            series.Append(batch);
            naive.AddRange(batch);
            appended += batch.Length;
            series.TryGetStats(0, out var actual).Should().BeTrue();
            actual.ShouldMatch(naive.Stats(10_000), $"round {round}");
        }

        // One full sum of the first window, then only what entered and left: at most twice what was appended.
        series.ExactPathUse.Reads.Should().Be(200);
        series.ExactPathUse.ValuesSummed.Should().BeLessThanOrEqualTo(2 * appended);
    }

    [Test]
    public void Full_size_batches_into_a_long_window_never_rescan_it()
    {
        // With batches of 10,000 the old values left the ring between reads and every read of a
        // long window summed it all again (0.3 s for 10^8 points). Alternating ±1: the mean is exactly 0.
        const int window = 1_000_000;
        var series = new SymbolSeries([window]);
        var batch = new double[10_000];
        for (var i = 0; i < batch.Length; i++)
        {
            batch[i] = i % 2 == 0 ? 1 : -1;
        }

        for (var i = 0; i < window / batch.Length; i++)
        {
            series.Append(batch);
        }

        series.TryGetStats(0, out var first).Should().BeTrue();
        first.Avg.Should().Be(0);
        var afterFirst = series.ExactPathUse.ValuesSummed;
        afterFirst.Should().Be(window, "the first exact read sums the window once");

        for (var round = 0; round < 50; round++)
        {
            series.Append(batch);
            series.TryGetStats(0, out var stats).Should().BeTrue();
            stats.Avg.Should().Be(0);
            stats.Count.Should().Be(window);
        }

        (series.ExactPathUse.ValuesSummed - afterFirst).Should().Be(50 * 2 * batch.Length, "each batch is added once and as many values leave");
    }

    [Test]
    public void A_level_summed_exactly_once_is_never_summed_whole_again()
    {
        // Cancelling, then ordinary, then cancelling again: the window is summed in full only at the first exact
        // read; after that every appended value costs one add and one subtract, so reads stay O(1).
        var series = new SymbolSeries([100]);
        var naive = new NaiveSeries();
        double[] cancelling = [.. Enumerable.Repeat(1e20, 50), .. Enumerable.Repeat(-1e20, 50)];
        series.Append(cancelling);
        naive.AddRange(cancelling);
        series.TryGetStats(0, out var first).Should().BeTrue();
        first.ShouldMatch(naive.Stats(100), "first exact read");
        series.ExactPathUse.ValuesSummed.Should().Be(100, "one full sum of the window");

        var appended = 0L;
        for (var round = 0; round < 40; round++)
        {
            double[] batch = round % 2 == 0 ? [.. Enumerable.Range(0, 100).Select(i => 100 + (i * 0.01) + round)] : cancelling;
            series.Append(batch);
            naive.AddRange(batch);
            appended += batch.Length;
            series.TryGetStats(0, out var stats).Should().BeTrue();
            stats.ShouldMatch(naive.Stats(100), $"round {round}");
        }

        series.ExactPathUse.Reads.Should().Be(21, "the first read and the 20 cancelling rounds");
        series.ExactPathUse.ValuesSummed.Should().Be(100 + (2 * appended), "never a second full sum");
    }

    [TestCaseSource(nameof(Seeds))]
    public void Ordinary_data_never_takes_the_exact_path(int seed)
    {
        var random = new Random(seed);
        var series = new SymbolSeries(SymbolSeries.DecadeWindows(), chunkShift: 8);
        var walk = 100.0;
        for (var batchNo = 0; batchNo < 40; batchNo++)
        {
            // Prices, uniform noise around zero, large offsets, mixed magnitudes, ties, integers.
            series.Append(RandomBatch(random, (Regime)(batchNo % 6), random.Next(1, 2_000), ref walk));
            for (var level = 0; level < SeriesLimits.LevelCount; level++)
            {
                series.TryGetStats(level, out _).Should().BeTrue();
            }
        }

        series.ExactPathUse.Reads.Should().Be(0, "the double-double mean is accurate enough for all of these");
    }

    /// <summary>Huge values that cancel in pairs, with small values between them.</summary>
    private static double[] CancellingBatch(Random random, int size)
    {
        var batch = new double[size];
        for (var i = 0; i < size; i++)
        {
            if (i + 1 < size && random.Next(3) > 0)
            {
                var huge = Math.ScaleB(1.0 + random.NextDouble(), random.Next(30, 500));
                batch[i] = huge;
                batch[++i] = -huge;
            }
            else
            {
                batch[i] = Math.ScaleB(1.0 + random.NextDouble(), random.Next(-120, 10)) * (random.Next(2) == 0 ? 1 : -1);
            }
        }

        return batch;
    }
}
