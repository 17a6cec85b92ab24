namespace TradeStat.Api.Requests;

/// <summary>Query of <c>GET /stats/</c>, kept as text so that every malformed <c>k</c> gets a clear message.</summary>
public sealed class StatsQuery : SymbolLevelQuery
{
    /// <summary>
    /// The query as sent: the first value of each parameter (names case-insensitive, as model binding reads them) and
    /// how many times each was given.
    /// </summary>
    public static StatsQuery From(IQueryCollection query)
    {
        var symbol = query["symbol"];
        var k = query["k"];
        return new StatsQuery
        {
            Symbol = symbol.Count > 0 ? symbol[0] : null,
            K = k.Count > 0 ? k[0] : null,
            SymbolCount = symbol.Count,
            KCount = k.Count,
        };
    }
}
