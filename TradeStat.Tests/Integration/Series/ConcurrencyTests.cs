using TradeStat.Tests.Support;

namespace TradeStat.Tests.Integration.Series;

/// <summary>
/// The assignment promises one request per symbol at a time; this breaks the promise on purpose. Many clients add
/// batches to one symbol and read its stats at once: no answer may show half a batch, and the end state must be
/// the one any serial order gives.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class ConcurrencyTests
{
    private const int Clients = 8;
    private const int Rounds = 30;
    private const int BatchSize = 100;

    [Test]
    public async Task Concurrent_adds_and_reads_on_one_symbol_only_ever_see_whole_batches()
    {
        await using var factory = new TradeStatFactory();
        using var client = factory.CreateApiClient();
        var symbol = TradeStatApi.UniqueSymbol("C");

        // Every batch holds BatchSize copies of its own value, so a window inside the newest batch has min = max.
        static double ValueOf(int clientNo, int round) => (clientNo * 1_000) + round + 0.25;

        var workers = Enumerable.Range(0, Clients).Select(clientNo => Task.Run(async () =>
        {
            for (var round = 0; round < Rounds; round++)
            {
                var count = await client.AddBatchAsync(symbol, Enumerable.Repeat(ValueOf(clientNo, round), BatchSize));
                count.Should().BeGreaterThan(0).And.Subject.Should().Match(c => c % BatchSize == 0, "counts move by whole batches");

                foreach (var k in new[] { 1, 2 })
                {
                    // 10 and 100 points: both lie inside the newest batch, which must be whole.
                    var window = await client.StatsAsync(symbol, k);
                    window.Min.Should().Be(window.Max, $"the last 10^{k} points come from one batch");
                    window.Last.Should().Be(window.Min);
                    window.Var.Should().Be(0);
                }

                var all = await client.StatsAsync(symbol, 8);
                (all.Count % BatchSize).Should().Be(0, "no answer sees half a batch");
            }
        })).ToArray();
        await Task.WhenAll(workers);

        // The whole series (within 10^8) is order-independent: it must equal the serial result exactly.
        var naive = new NaiveSeries();
        for (var clientNo = 0; clientNo < Clients; clientNo++)
        {
            for (var round = 0; round < Rounds; round++)
            {
                naive.AddRange([.. Enumerable.Repeat(ValueOf(clientNo, round), BatchSize)]);
            }
        }

        var final = await client.StatsAsync(symbol, 8);
        var expected = naive.Stats(100_000_000);
        final.Count.Should().Be(Clients * Rounds * BatchSize);
        final.Min.Should().Be(expected.Min);
        final.Max.Should().Be(expected.Max);
        ExactStats.RelativeError(final.Avg, expected.Avg).Should().BeLessThanOrEqualTo(1e-12);
        ExactStats.RelativeError(final.Var, expected.Var).Should().BeLessThanOrEqualTo(1e-9);
    }
}
