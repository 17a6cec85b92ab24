namespace TradeStat.Domain.Series;

/// <summary>
/// A window level k from <see cref="SeriesLimits.MinK"/> to <see cref="SeriesLimits.MaxK"/>: statistics over the last
/// 10^k points. <see cref="TryCreate"/> is the one place where the range is checked, so a level in hand is valid and
/// whoever receives one trusts it.
/// </summary>
public readonly record struct WindowLevel
{
    // k − MinK rather than k, so that default(WindowLevel) is a valid level (the smallest) too.
    private readonly byte _index;

    private WindowLevel(int index) => _index = (byte)index;

    /// <summary>k itself.</summary>
    public int K => _index + SeriesLimits.MinK;

    /// <summary>Position among the levels, from 0 (k − <see cref="SeriesLimits.MinK"/>).</summary>
    public int Index => _index;

    /// <summary>The window length, 10^k.</summary>
    public long Window => Windows[_index];

    // 10^k by index; the last one is the largest window, defined in SeriesLimits.
    private static ReadOnlySpan<long> Windows => [10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, SeriesLimits.MaxWindow];

    /// <summary>The level <paramref name="k"/>; false when k is outside the range.</summary>
    public static bool TryCreate(int k, out WindowLevel level)
    {
        if (k is < SeriesLimits.MinK or > SeriesLimits.MaxK)
        {
            level = default;
            return false;
        }

        level = new WindowLevel(k - SeriesLimits.MinK);
        return true;
    }

    /// <summary>The level <paramref name="k"/>, for a k fixed in code; throws when it is outside the range.</summary>
    public static WindowLevel Create(int k) =>
        TryCreate(k, out var level)
            ? level
            : throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be between {SeriesLimits.MinK} and {SeriesLimits.MaxK}.");
}
