using System.Runtime.CompilerServices;

namespace TradeStat.Domain.Trades;

/// <summary>
/// sum(quantity × price) / sum(quantity), truncated. The notional is a 192-bit sum (each product is below 2^126),
/// so it cannot overflow for any input a machine can produce; the quantity sum is 128 bits.
/// </summary>
public struct WeightedAveragePrice : ITradeMetric<WeightedAveragePrice>
{
    private WideSum _notional;
    private UInt128 _quantity;

    /// <summary>The truncated weighted average so far (0 before any trade).</summary>
    public readonly UInt128 Value => _quantity == 0 ? 0 : _notional.DivideTruncated(_quantity);

    /// <inheritdoc />
    public static void AddColumnNames(ICollection<string> names) => names.Add("WeightedAveragePrice");

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Start(in Trade trade)
    {
        _notional = default;
        _quantity = 0;
        Observe(trade);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Observe(in Trade trade)
    {
        var high = Math.BigMul((ulong)trade.Quantity, (ulong)trade.Price, out var low);
        _notional.Add(high, low);
        _quantity += (ulong)trade.Quantity;
    }

    /// <inheritdoc />
    public void Merge(in WeightedAveragePrice later)
    {
        _notional.Add(later._notional);
        _quantity += later._quantity;
    }

    /// <inheritdoc />
    public readonly void WriteColumns(CsvRowWriter row) => row.Column(Value);
}
