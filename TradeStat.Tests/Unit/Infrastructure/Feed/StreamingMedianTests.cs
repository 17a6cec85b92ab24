using TradeStat.Domain.Feed;
using TradeStat.Infrastructure.Feed;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Unit.Infrastructure.Feed;

[TestFixture]
[Category("Unit")]
public sealed class StreamingMedianTests
{
    public enum Shape
    {
        Uniform,
        FewDistinct,
        RandomWalk,
        Increasing,
        Decreasing,
        Alternating,
    }

    [Test]
    public void Median_of_3_4_2_1_5_8_is_3_5()
    {
        var median = new StreamingMedian();
        foreach (var p in new[] { 3, 4, 2, 1, 5, 8 })
        {
            median.Add(p * ScaledPrice.UnitsPerOne);
        }

        median.Median.Should().Be(3.5m);
        median.Add(250_000_000);
        median.Median.Should().Be(3m);
    }

    [Test]
    public void Empty_has_no_median() => new StreamingMedian().Median.Should().BeNull();

    [Test]
    public void Matches_a_sorted_list_after_every_insert(
        [Values] Shape shape, [Range(1, 8)] int seed, [Values(1, 2, 7, 1_500)] int length)
    {
        var random = new Random(seed * 7919);
        var median = new StreamingMedian();
        var naive = new List<long>();
        long walk = 1_000_000;
        for (var i = 0; i < length; i++)
        {
            var price = shape switch
            {
                Shape.Uniform => random.NextInt64(0, 1_000_000_000_000),
                Shape.FewDistinct => random.Next(5) * 1_000L,
                Shape.RandomWalk => walk = Math.Max(0, walk + random.Next(-3, 4)),
                Shape.Increasing => i,
                Shape.Decreasing => length - i,
                _ => i % 2 == 0 ? i : 1_000_000 - i,
            };
            median.Add(price);
            var index = naive.BinarySearch(price);
            naive.Insert(index < 0 ? ~index : index, price);
            var n = naive.Count;
            median.MedianHalfUnits.Should().Be(naive[(n - 1) / 2] + naive[n / 2], $"after {n} prices");
        }

        median.Count.Should().Be(length);
        median.IsExact.Should().BeTrue();
        median.Distinct.Should().Be(naive.Distinct().Count());
    }

    [Test]
    public void Past_the_level_budget_merges_within_the_stated_bound([Range(1, 6)] int seed, [Values(16, 200)] int maxDistinct)
    {
        var random = new Random(seed);
        var median = new StreamingMedian(maxDistinct);
        var naive = new List<long>();
        for (var i = 0; i < 5_000; i++)
        {
            var price = random.NextInt64(1, 10_000_000_000_000);
            median.Add(price);
            var index = naive.BinarySearch(price);
            naive.Insert(index < 0 ? ~index : index, price);
            var n = naive.Count;
            var exact = (naive[(n - 1) / 2] + naive[n / 2]) / 2.0;
            var reported = median.MedianHalfUnits / 2.0;
            Math.Abs(reported - exact).Should().BeLessThanOrEqualTo((exact * median.MaxRelativeError) + 1, $"after {n} prices");
            // 16 levels cannot hold 13 decades at one significant digit; only rounding to zero digits did (500 % off).
            median.Distinct.Should().BeLessThanOrEqualTo(Math.Max(maxDistinct, (9 * 19) + 1));
            median.SignificantDigits.Should().BeGreaterThanOrEqualTo(1);
        }

        median.IsExact.Should().BeFalse();
        median.MaxRelativeError.Should().BeGreaterThan(0);
    }

    [Test]
    public void A_price_merged_twice_stays_within_the_stated_bound()
    {
        // 10045 is rounded to 10050 by the first merge (4 digits) and that to 10100 by the second (3 digits): 0.55 %
        // away from the true median, more than one rounding's 0.5·10^(1−3) = 0.5 %. The bound must cover both roundings.
        var median = new StreamingMedian(maxDistinct: 20);
        var all = new List<long>();
        void Add(long price)
        {
            median.Add(price);
            all.Add(price);
        }

        for (var i = 0; i < 1_001; i++)
        {
            Add(10_045);
        }

        foreach (var p in Enumerable.Range(10_040, 10).Concat(Enumerable.Range(10_140, 10)).Where(p => p != 10_045))
        {
            Add(p);
        }

        Add(10_000);
        median.SignificantDigits.Should().Be(4, "the first merge keeps 4 significant digits");
        for (var p = 10_200; p <= 10_340; p += 10)
        {
            Add(p);
        }

        Add(10_400);
        median.SignificantDigits.Should().Be(3, "the second merge keeps 3");

        all.Sort();
        var n = all.Count;
        var exact = (all[(n - 1) / 2] + all[n / 2]) / 2.0;
        var reported = median.MedianHalfUnits / 2.0;
        exact.Should().Be(10_045);
        Math.Abs(reported - exact).Should().BeLessThanOrEqualTo(exact * median.MaxRelativeError);
    }

    [Test]
    public void Merging_never_goes_below_one_significant_digit([Values(16, 40)] int maxDistinct)
    {
        // Prices over 15 decades: at one significant digit there are still up to 9 levels per decade, more than the
        // budget; a further merge to zero digits would round 5 to 10 (100 % off).
        var random = new Random(maxDistinct);
        var median = new StreamingMedian(maxDistinct);
        var all = new List<long>();
        for (var i = 0; i < 20_000; i++)
        {
            var price = (long)Math.Pow(10, random.NextDouble() * 15);
            median.Add(price);
            all.Add(price);
        }

        all.Sort();
        var n = all.Count;
        var exact = (all[(n - 1) / 2] + all[n / 2]) / 2.0;
        median.SignificantDigits.Should().BeGreaterThanOrEqualTo(1);
        median.MaxRelativeError.Should().BeLessThan(1);
        Math.Abs((median.MedianHalfUnits / 2.0) - exact).Should().BeLessThanOrEqualTo(exact * median.MaxRelativeError);
        median.Distinct.Should().BeLessThanOrEqualTo(Math.Max(maxDistinct, (9 * 19) + 1), "one digit leaves at most 9 levels per decade");
    }

    [TestCase(Recordings.BtcUsdt)]
    [TestCase(Recordings.EthUsdt)]
    public void Real_recordings_match_a_sort_based_reference(string file)
    {
        var trades = Recordings.Trades(file);
        var median = new StreamingMedian();
        foreach (var (_, _, price) in trades)
        {
            median.Add(ScaledPrice.Parse(price));
        }

        median.Count.Should().Be(trades.Length);
        median.Median.Should().Be(Recordings.SortedMedian(trades.Select(t => t.Price)));

        // Every prefix too, against the same reference on the first 1,001 trades.
        var prefix = new StreamingMedian();
        for (var i = 0; i <= 1_000; i++)
        {
            prefix.Add(ScaledPrice.Parse(trades[i].Price));
            if (i % 97 == 0 || i == 1_000)
            {
                prefix.Median.Should().Be(Recordings.SortedMedian(trades.Take(i + 1).Select(t => t.Price)));
            }
        }
    }

    [TestCase(123_456_789L, 3, 123_000_000L)]
    [TestCase(123_556_789L, 3, 124_000_000L)]
    [TestCase(999_999L, 3, 1_000_000L)]
    [TestCase(42L, 5, 42L)]
    public void Rounds_to_significant_digits(long value, int digits, long rounded) =>
        StreamingMedian.Round(value, digits).Should().Be(rounded);
}
