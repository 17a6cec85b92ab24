using System.Runtime.CompilerServices;
using SeedColumns = TradeStat.Domain.Trades.Metrics<
    TradeStat.Domain.Trades.MaxTimeGap,
    TradeStat.Domain.Trades.Metrics<
        TradeStat.Domain.Trades.Volume,
        TradeStat.Domain.Trades.Metrics<
            TradeStat.Domain.Trades.WeightedAveragePrice,
            TradeStat.Domain.Trades.MaxPrice>>>;

namespace TradeStat.Domain.Trades;

/// <summary>
/// The registered output columns of the batch analysis, in order:
/// <c>MaxTimeGap, Volume, WeightedAveragePrice, MaxPrice</c>.
/// </summary>
/// <remarks>Adding a metric: write its struct (one file), then add it to the <c>SeedColumns</c> alias above.</remarks>
public struct SeedMetrics : ITradeMetric<SeedMetrics>
{
#pragma warning disable CS0649 // mutated in place through its methods, never assigned as a whole
    private SeedColumns _columns;
#pragma warning restore CS0649

    /// <inheritdoc />
    public static void AddColumnNames(ICollection<string> names) => SeedColumns.AddColumnNames(names);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Start(in Trade trade) => _columns.Start(trade);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Observe(in Trade trade) => _columns.Observe(trade);

    /// <inheritdoc />
    public void Merge(in SeedMetrics later) => _columns.Merge(later._columns);

    /// <inheritdoc />
    public readonly void WriteColumns(CsvRowWriter row) => _columns.WriteColumns(row);
}
