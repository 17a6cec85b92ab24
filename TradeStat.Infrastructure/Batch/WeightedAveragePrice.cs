using System.Runtime.CompilerServices;
using TradeStat.Domain.Batch;

namespace TradeStat.Infrastructure.Batch;

/// <summary>
/// sum(quantity × price) / sum(quantity), truncated. The notional is a 192-bit sum (each product is below 2^126),
/// so it cannot overflow for any input a machine can produce; the quantity sum is 128 bits.
/// </summary>
public struct WeightedAveragePrice : ITradeMetric<WeightedAveragePrice>
{
    private WideSum _notional;
    private ulong _quantityLow; // two words with a branch on the rare carry: fewer instructions than UInt128's add
    private ulong _quantityHigh;

    /// <summary>The truncated weighted average so far (0 before any trade).</summary>
    public readonly UInt128 Value => Quantity == 0 ? 0 : _notional.DivideTruncated(Quantity);

    private readonly UInt128 Quantity => new(_quantityHigh, _quantityLow);

    /// <inheritdoc />
    public static void AddColumnNames(ICollection<string> names) => names.Add("WeightedAveragePrice");

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Start(in Trade trade)
    {
        _notional = default;
        _quantityLow = 0;
        _quantityHigh = 0;
        Observe(trade);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Observe(in Trade trade)
    {
        // The UInt128-returning BigMul keeps both halves in registers (the out-parameter form goes through memory).
        var product = Math.BigMul((ulong)trade.Quantity, (ulong)trade.Price);
        _notional.Add((ulong)(product >> 64), (ulong)product);
        var low = _quantityLow + (ulong)trade.Quantity;
        if (low < (ulong)trade.Quantity)
        {
            _quantityHigh++;
        }

        _quantityLow = low;
    }

    /// <inheritdoc />
    public void Merge(in WeightedAveragePrice later)
    {
        _notional.Add(later._notional);
        var quantity = Quantity + later.Quantity;
        _quantityLow = (ulong)quantity;
        _quantityHigh = (ulong)(quantity >> 64);
    }

    /// <inheritdoc />
    public readonly void WriteColumns(CsvRowWriter row) => row.Column(Value);
}
