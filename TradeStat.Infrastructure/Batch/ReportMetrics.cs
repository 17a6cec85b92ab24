using System.Runtime.CompilerServices;
using TradeStat.Domain.Batch;
using ReportColumns = TradeStat.Domain.Batch.Metrics<
    TradeStat.Infrastructure.Batch.MaxTimeGap,
    TradeStat.Domain.Batch.Metrics<
        TradeStat.Infrastructure.Batch.Volume,
        TradeStat.Domain.Batch.Metrics<
            TradeStat.Infrastructure.Batch.WeightedAveragePrice,
            TradeStat.Infrastructure.Batch.MaxPrice>>>;

namespace TradeStat.Infrastructure.Batch;

/// <summary>
/// The registered output columns of the batch analysis, in order:
/// <c>MaxTimeGap, Volume, WeightedAveragePrice, MaxPrice</c>.
/// </summary>
/// <remarks>Adding a metric: write its struct (one file), then add it to the <c>ReportColumns</c> alias above.</remarks>
public struct ReportMetrics : ITradeMetric<ReportMetrics>
{
#pragma warning disable CS0649 // mutated in place through its methods, never assigned as a whole
    private ReportColumns _columns;
#pragma warning restore CS0649

    /// <inheritdoc />
    public static void AddColumnNames(ICollection<string> names) => ReportColumns.AddColumnNames(names);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Start(in Trade trade) => _columns.Start(trade);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Observe(in Trade trade) => _columns.Observe(trade);

    /// <inheritdoc />
    public void Merge(in ReportMetrics later) => _columns.Merge(later._columns);

    /// <inheritdoc />
    public readonly void WriteColumns(CsvRowWriter row) => _columns.WriteColumns(row);
}
