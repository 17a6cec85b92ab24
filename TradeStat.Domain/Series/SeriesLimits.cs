namespace TradeStat.Domain.Series;

/// <summary>The fixed limits of the series: windows of the last 10^k points for k from <see cref="MinK"/> to <see cref="MaxK"/>, batches and symbol names.</summary>
public static class SeriesLimits
{
    /// <summary>Smallest window level k (see <see cref="WindowLevel"/>).</summary>
    public const int MinK = 1;

    /// <summary>Largest window level k; 10^MaxK points are kept per symbol.</summary>
    public const int MaxK = 8;

    /// <summary>Number of window levels.</summary>
    public const int LevelCount = MaxK - MinK + 1;

    /// <summary>Most values one batch may carry.</summary>
    public const int MaxBatchSize = 10_000;

    /// <summary>Longest symbol name, in characters (see <see cref="SymbolName"/>).</summary>
    public const int MaxSymbolLength = 32;

    /// <summary>Most buckets one envelope may ask for (see <see cref="SeriesEnvelope"/>): more than any screen has pixel columns.</summary>
    public const int MaxEnvelopeBuckets = 4_096;

    /// <summary>Points retained per symbol: the largest window, 10^MaxK.</summary>
    public const long MaxWindow = 100_000_000;
}
