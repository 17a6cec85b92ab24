using System.Security.Cryptography;
using TradeStat.Infrastructure.Batch;

namespace TradeStat.Tests.Unit.Infrastructure.Batch;

[TestFixture]
[Category("Unit")]
public sealed class TradeGeneratorTests
{
    // The default (sqrt) output pinned before the distribution option existed: the option must not change it.
    [TestCase(100_000L, 500, 1UL, "736E3B4CF0E7CD64425BFAA58EDFBEECA80BC1E44C1FA5D6476DB6EA17ED9716")]
    [TestCase(50_000L, 17_576, 3UL, "E087449B2E132CA3299B37C81FBDF74B33357DB7352050D608E49E5C22345F94")]
    [TestCase(20_000L, 1, 42UL, "36823008365BF63A94EC40798D2DA42C30FE1070287C396EFF480651F0C7BD35")]
    public void Default_output_is_unchanged(long rows, int symbols, ulong seed, string sha256)
    {
        Hash(new TradeGenerator(rows, symbols, seed)).Should().Be(sha256);
    }

    [Test]
    public void Every_distribution_gives_the_same_bytes_for_the_same_seed_and_other_bytes_for_another(
        [Values] SymbolDistribution distribution)
    {
        var first = Hash(new TradeGenerator(30_000, 500, 5, distribution));
        Hash(new TradeGenerator(30_000, 500, 5, distribution)).Should().Be(first);
        Hash(new TradeGenerator(30_000, 500, 6, distribution)).Should().NotBe(first);
    }

    [Test]
    public void Picked_frequencies_match_the_naive_probabilities(
        [Values] SymbolDistribution distribution, [Values(1, 500, 17_576)] int symbols, [Values(1, 2, 3)] int randomSeed)
    {
        const int draws = 1_000_000;
        var picker = new SymbolPicker(distribution, symbols);
        var random = new Random(randomSeed);
        var counts = new long[symbols];
        for (var i = 0; i < draws; i++)
        {
            counts[picker.Pick((ulong)random.NextInt64(long.MinValue, long.MaxValue))]++;
        }

        var expected = NaiveProbabilities(distribution, symbols);
        var (chiSquare, degrees) = ChiSquare(counts, expected, draws);
        // Far in the tail of the chi-square distribution (mean = degrees, sd = sqrt(2 degrees)); a wrong table misses
        // by orders of magnitude.
        chiSquare.Should().BeLessThan(degrees + 6 * Math.Sqrt(2.0 * degrees) + 1, $"{distribution}, {symbols} symbols");

        var topShare = (double)counts[0] / draws;
        switch (distribution)
        {
            case SymbolDistribution.Uniform when symbols <= 500:
                ((double)counts.Max() / counts.Min()).Should().BeLessThan(1.25);
                break;
            case SymbolDistribution.Zipf:
                topShare.Should().BeApproximately(1 / GeneralisedHarmonic(symbols), 0.003, "rank 1 takes 1/H(N, s)");
                break;
        }
    }

    [Test]
    public void Generated_files_follow_the_distribution([Values(1UL, 9UL)] ulong randomSeed)
    {
        const int rows = 200_000;
        var uniform = SortedCounts(new TradeGenerator(rows, 500, randomSeed, SymbolDistribution.Uniform));
        uniform.Should().HaveCount(500);
        ((double)uniform[0] / uniform[^1]).Should().BeLessThan(1.6);

        var zipf = SortedCounts(new TradeGenerator(rows, 500, randomSeed, SymbolDistribution.Zipf));
        ((double)zipf[0] / rows).Should().BeApproximately(1 / GeneralisedHarmonic(500), 0.005);
        ((double)zipf[1] / rows).Should().BeApproximately(Math.Pow(2, -1.1) / GeneralisedHarmonic(500), 0.005);

        var sqrt = SortedCounts(new TradeGenerator(rows, 500, randomSeed));
        ((double)sqrt[0] / rows).Should().BeApproximately(Math.Sqrt(1.0 / 500), 0.005);
    }

    private static double[] NaiveProbabilities(SymbolDistribution distribution, int symbols)
    {
        var p = new double[symbols];
        for (var k = 0; k < symbols; k++)
        {
            p[k] = distribution switch
            {
                SymbolDistribution.Uniform => 1.0 / symbols,
                SymbolDistribution.Zipf => Math.Pow(k + 1, -1.1) / GeneralisedHarmonic(symbols),
                _ => Math.Sqrt((k + 1.0) / symbols) - Math.Sqrt((double)k / symbols),
            };
        }

        return p;
    }

    private static readonly Dictionary<int, double> Harmonics = [];

    private static double GeneralisedHarmonic(int n)
    {
        lock (Harmonics)
        {
            if (!Harmonics.TryGetValue(n, out var h))
            {
                for (var k = 1; k <= n; k++)
                {
                    h += Math.Pow(k, -1.1);
                }

                Harmonics[n] = h;
            }

            return h;
        }
    }

    // Neighbouring symbols merged until each bin expects at least 100 draws, so that the chi-square law holds.
    private static (double ChiSquare, int Degrees) ChiSquare(long[] counts, double[] probabilities, long draws)
    {
        var chiSquare = 0.0;
        var bins = 0;
        double expected = 0, observed = 0;
        for (var k = 0; k < counts.Length; k++)
        {
            expected += probabilities[k] * draws;
            observed += counts[k];
            if (expected >= 100 || k == counts.Length - 1)
            {
                chiSquare += (observed - expected) * (observed - expected) / expected;
                bins++;
                expected = observed = 0;
            }
        }

        return (chiSquare, bins - 1);
    }

    private static long[] SortedCounts(TradeGenerator generator)
    {
        using var memory = new MemoryStream();
        generator.WriteTo(memory);
        var counts = new Dictionary<string, long>();
        using var reader = new StreamReader(new MemoryStream(memory.ToArray()));
        while (reader.ReadLine() is { } line)
        {
            var symbol = line.Split(',')[1];
            counts[symbol] = counts.GetValueOrDefault(symbol) + 1;
        }

        return [.. counts.Values.OrderDescending()];
    }

    private static string Hash(TradeGenerator generator)
    {
        using var memory = new MemoryStream();
        generator.WriteTo(memory);
        return Convert.ToHexString(SHA256.HashData(memory.ToArray()));
    }
}
