namespace TradeStat.Domain.Series;

/// <summary>The fixed limits of the series API, from the seed: k = 1..8 over the last 10^k points.</summary>
public static class SeriesLimits
{
    /// <summary>Smallest k accepted by <c>GET /stats/</c>.</summary>
    public const int MinK = 1;

    /// <summary>Largest k accepted by <c>GET /stats/</c>; 10^MaxK points are kept per symbol.</summary>
    public const int MaxK = 8;

    /// <summary>Number of k levels.</summary>
    public const int LevelCount = MaxK - MinK + 1;

    /// <summary>Most values one <c>POST /add_batch/</c> may carry.</summary>
    public const int MaxBatchSize = 10_000;

    /// <summary>Longest symbol accepted.</summary>
    public const int MaxSymbolLength = 32;

    /// <summary>Points retained per symbol: the largest window, 10^MaxK.</summary>
    public const long MaxWindow = 100_000_000;

    /// <summary>The window length 10^k for k in [MinK, MaxK].</summary>
    public static long Window(int k) => k switch
    {
        1 => 10,
        2 => 100,
        3 => 1_000,
        4 => 10_000,
        5 => 100_000,
        6 => 1_000_000,
        7 => 10_000_000,
        8 => 100_000_000,
        _ => throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be between {MinK} and {MaxK}."),
    };

    /// <summary>True when <paramref name="k"/> names a level.</summary>
    public static bool IsValidK(int k) => k is >= MinK and <= MaxK;
}
