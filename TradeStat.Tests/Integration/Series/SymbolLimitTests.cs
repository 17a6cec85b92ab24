using System.Net;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Integration.Series;

/// <summary><c>TradeStat:MaxSymbols</c>: new symbols beyond the limit get 409 and change nothing.</summary>
[TestFixture]
[Category("Integration")]
public sealed class SymbolLimitTests
{
    [Test]
    public async Task New_symbol_beyond_a_configured_limit_returns_409_and_leaves_others_untouched()
    {
        await using var factory = new TradeStatFactory(("TradeStat:MaxSymbols", "3"));
        using var client = factory.CreateApiClient();
        string[] symbols = ["S1", "S2", "S3"];
        foreach (var symbol in symbols)
        {
            await client.AddBatchAsync(symbol, [1, 2]);
        }

        using var refused = await client.PostBatchAsync("S4", [9]);

        await refused.ShouldBeProblemAsync(HttpStatusCode.Conflict);
        using var refusedStats = await client.GetStatsAsync("S4", 1);
        await refusedStats.ShouldBeProblemAsync(HttpStatusCode.NotFound);
        foreach (var symbol in symbols)
        {
            (await client.StatsAsync(symbol, 1)).Should().Be(new StatsResult(symbol, 1, 2, 1, 2, 2, 1.5, 0.25));
        }

        // Existing symbols keep accepting data at the limit.
        (await client.AddBatchAsync("S2", [3])).Should().Be(3);
    }

    [Test]
    public async Task Default_limit_is_ten_symbols()
    {
        await using var factory = new TradeStatFactory();
        using var client = factory.CreateApiClient();

        var counts = new List<long>();
        for (var i = 1; i <= 10; i++)
        {
            counts.Add(await client.AddBatchAsync($"D{i}", [i]));
        }

        using var eleventh = await client.PostBatchAsync("D11", [11]);

        counts.Should().AllBeEquivalentTo(1L);
        await eleventh.ShouldBeProblemAsync(HttpStatusCode.Conflict);
    }
}
