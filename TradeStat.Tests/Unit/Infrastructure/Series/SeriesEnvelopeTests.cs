using TradeStat.Domain.Series;
using TradeStat.Infrastructure.Series;
using TradeStat.Tests.Support;
using static TradeStat.Tests.Support.TestData;

namespace TradeStat.Tests.Unit.Infrastructure.Series;

[TestFixture]
[Category("Unit")]
public sealed class SeriesEnvelopeTests
{
    // Windows of every kind and past a super-block, so the pyramid is read at each of its levels and at both ends.
    private static readonly long[] Windows = [1, 10, 63, 64, 65, 1000, 4097, 12_345, 300_000, 600_000];

    private static IEnumerable<TestCaseData> Seeds() =>
        Enumerable.Range(1, 40).Select(seed => new TestCaseData(seed).SetArgDisplayNames($"seed {seed}"));

    [TestCaseSource(nameof(Seeds))]
    public void Envelope_matches_the_naive_reference_for_random_batches_windows_and_bucket_counts(int seed)
    {
        var random = new Random(seed);
        var regimes = Enum.GetValues<Regime>();
        var series = new SymbolSeries(Windows, chunkShift: 6 + (seed % 5));
        var naive = new NaiveSeries();
        var walk = 100.0;

        // Most runs stay short and check often (every boundary near the start); every eighth runs past two super-blocks.
        var length = seed % 8 == 0 ? 700_000 : random.Next(1, 20_000);
        var nextCheck = 0L;
        while (naive.Count < length)
        {
            var size = random.Next(4) == 0 ? random.Next(1, 10_001) : random.Next(1, 200);
            var batch = RandomBatch(random, regimes[random.Next(regimes.Length)], size, ref walk);
            series.Append(batch);
            naive.AddRange(batch);
            if (naive.Count < nextCheck)
            {
                continue;
            }

            nextCheck = naive.Count + (length > 100_000 ? random.Next(50_000, 150_000) : random.Next(1, 500));
            for (var level = 0; level < Windows.Length; level++)
            {
                var buckets = random.Next(3) switch
                {
                    0 => random.Next(1, 10),
                    1 => random.Next(1, SeriesLimits.MaxEnvelopeBuckets + 1),
                    _ => (int)Math.Min(Math.Min(Windows[level], naive.Count) + random.Next(-2, 3), SeriesLimits.MaxEnvelopeBuckets),
                };
                buckets = Math.Max(buckets, 1);
                var actual = series.GetEnvelope(level, buckets);
                var expected = naive.Envelope(Windows[level], buckets);
                var because = $"(seed {seed}, window {Windows[level]}, buckets {buckets}, n={naive.Count})";
                actual.Should().NotBeNull();
                actual!.Count.Should().Be(expected.Count, because);
                actual.Start.Should().Be(expected.Start, because);
                Bits(actual.Min).Should().Equal(Bits(expected.Min), because);
                Bits(actual.Max).Should().Equal(Bits(expected.Max), because);
            }
        }
    }

    [Test]
    public void An_empty_series_has_no_envelope()
    {
        new SymbolSeries(Windows).GetEnvelope(0, 10).Should().BeNull();
    }

    [Test]
    public void A_window_of_fewer_points_than_buckets_comes_back_point_by_point()
    {
        var series = new SymbolSeries(SymbolSeries.DecadeWindows());
        series.Append([3.5, -1.25, 7.0]);

        var envelope = series.GetEnvelope(WindowLevel.Create(2).Index, 100)!;

        envelope.Count.Should().Be(3);
        envelope.Start.Should().Be(0);
        envelope.Min.Should().Equal(3.5, -1.25, 7.0);
        envelope.Max.Should().Equal(3.5, -1.25, 7.0);
    }

    [Test]
    public void Every_point_is_in_exactly_one_bucket_and_no_bucket_is_empty()
    {
        foreach (var (count, buckets) in new[] { (10L, 3), (100_000_000L, 4096), (4097L, 4096), (7L, 7), (1L, 1) })
        {
            var starts = Enumerable.Range(0, buckets + 1).Select(i => SeriesEnvelope.BucketStart(5, count, buckets, i)).ToArray();
            starts[0].Should().Be(5);
            starts[^1].Should().Be(5 + count);
            starts.Zip(starts.Skip(1), (a, b) => b - a).Should().OnlyContain(size => size >= 1);
        }
    }

    private static long[] Bits(double[] values) => values.Select(BitConverter.DoubleToInt64Bits).ToArray();
}
