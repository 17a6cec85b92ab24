using System.Runtime.CompilerServices;

namespace TradeStat.Domain.Trades;

/// <summary>Sum of the quantities of the symbol's trades, in 128 bits (no overflow below 2^64 trades).</summary>
public struct Volume : ITradeMetric<Volume>
{
    private UInt128 _sum;

    /// <summary>The volume so far.</summary>
    public readonly UInt128 Value => _sum;

    /// <inheritdoc />
    public static void AddColumnNames(ICollection<string> names) => names.Add("Volume");

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Start(in Trade trade) => _sum = (ulong)trade.Quantity;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Observe(in Trade trade) => _sum += (ulong)trade.Quantity;

    /// <inheritdoc />
    public void Merge(in Volume later) => _sum += later._sum;

    /// <inheritdoc />
    public readonly void WriteColumns(CsvRowWriter row) => row.Column(_sum);
}
