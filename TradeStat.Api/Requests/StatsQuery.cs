using TradeStat.Domain.Series;

namespace TradeStat.Api.Requests;

/// <summary>Query of <c>GET /stats/</c>, kept as text so that every malformed <c>k</c> gets a clear message.</summary>
public sealed class StatsQuery : ISymbolLevelQuery
{
    private readonly WindowLevel? _level;

    /// <summary>The symbol.</summary>
    public string? Symbol { get; init; }

    /// <summary>The decade k as sent; <see cref="Level"/> is read from it once, here.</summary>
    public string? K
    {
        get;
        init
        {
            field = value;
            _level = TryParseK(value, out var level) ? level : null;
        }
    }

    /// <summary>
    /// <see cref="K"/> as a window level, or null when it is not an integer from <see cref="SeriesLimits.MinK"/> to
    /// <see cref="SeriesLimits.MaxK"/> (the validator reports that; past it, the level is there).
    /// </summary>
    public WindowLevel? Level => _level;

    /// <summary>How many times <c>symbol</c> was given (binding keeps the first: more than one is an error).</summary>
    public int SymbolCount { get; init; } = 1;

    /// <summary>How many times <c>k</c> was given.</summary>
    public int KCount { get; init; } = 1;

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

    /// <summary>Parses k as sent: ASCII digits only (leading zeros allowed; no sign, fraction, exponent or spaces).</summary>
    public static bool TryParseK(string? text, out WindowLevel level)
    {
        level = default;
        return ISymbolLevelQuery.TryParseDigits(text, SeriesLimits.MaxK, out var value) && WindowLevel.TryCreate(value, out level);
    }
}
