using System.Text;
using TradeStat.Infrastructure.Feed;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Unit.Infrastructure.Feed;

[TestFixture]
[Category("Unit")]
public sealed class PerfectHashTableTests
{
    [TestCase(Recordings.ExchangeInfo2022, 1961)]
    [TestCase(Recordings.ExchangeInfo2024, 1248)]
    public void Real_exchange_info_has_no_collision_and_every_symbol_finds_itself(string file, int expected)
    {
        var symbols = Recordings.Symbols(file);
        symbols.Should().HaveCount(expected);
        var table = PerfectHashTable.Build(symbols);

        AssertPerfect(table, symbols);
        table.IndexOf("NOTASYMBOL"u8).Should().Be(-1);
        table.IndexOf("btcusdt"u8).Should().Be(-1, "the table is case-sensitive; the API upper-cases first");
    }

    [Test]
    public void Random_sets_of_100k_symbol_like_strings([Values(1, 2, 3)] int seed)
    {
        var random = new Random(seed);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (keys.Count < 100_000)
        {
            keys.Add(RandomSymbol(random));
        }

        var symbols = keys.ToArray();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var table = PerfectHashTable.Build(symbols);
        TestContext.Out.WriteLine($"10^5 keys: {watch.ElapsedMilliseconds} ms, {table.SeedAttempts} seed(s), {table.SlotCount} slots");
        AssertPerfect(table, symbols);
        table.SeedAttempts.Should().BeLessThanOrEqualTo(2, "the displacement search should succeed on the first global seed");

        // Unknown keys are never found, including keys that share a slot with a real one.
        var misses = 0;
        for (var i = 0; i < 100_000; i++)
        {
            var candidate = RandomSymbol(random);
            if (!keys.Contains(candidate))
            {
                table.IndexOf(Encoding.UTF8.GetBytes(candidate)).Should().Be(-1, candidate);
                misses++;
            }
        }

        misses.Should().BeGreaterThan(0);
    }

    [Test]
    public void Non_ascii_symbols_are_keys_like_any_other()
    {
        string[] symbols = ["币安人生USDT", "BTCUSDT", "ÄÖÜ", "A"];
        var table = PerfectHashTable.Build(symbols);
        AssertPerfect(table, symbols);
        table.IndexOf(Encoding.UTF8.GetBytes("币安人生USDC")).Should().Be(-1);
    }

    [Test]
    public void Empty_and_single_sets()
    {
        PerfectHashTable.Build(Array.Empty<string>()).IndexOf("X"u8).Should().Be(-1);
        var one = PerfectHashTable.Build(["ONLY"]);
        one.IndexOf("ONLY"u8).Should().Be(0);
        one.IndexOf("ONL"u8).Should().Be(-1);
        one.IndexOf(""u8).Should().Be(-1);
    }

    [Test]
    public void Duplicates_are_refused() =>
        FluentActions.Invoking(() => PerfectHashTable.Build(["A", "B", "A"])).Should().Throw<ArgumentException>();

    private static void AssertPerfect(PerfectHashTable table, IReadOnlyList<string> symbols)
    {
        table.Count.Should().Be(symbols.Count);
        var indexes = new HashSet<int>();
        for (var i = 0; i < symbols.Count; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(symbols[i]);
            var index = table.IndexOf(bytes);
            index.Should().Be(i, symbols[i]);
            table.KeyAt(index).SequenceEqual(bytes).Should().BeTrue();
            indexes.Add(index).Should().BeTrue();
        }
    }

    private static string RandomSymbol(Random random)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        var length = random.Next(2, 14);
        return string.Create(length, random, (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[r.Next(alphabet.Length)];
            }
        });
    }
}
