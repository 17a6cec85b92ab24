using System.Runtime.CompilerServices;
using TradeStat.Domain.Batch;

namespace TradeStat.Infrastructure.Batch;

/// <summary>Sum of the quantities of the symbol's trades, in 128 bits (no overflow below 2^64 trades).</summary>
public struct Volume : ITradeMetric<Volume>
{
    // Two words with a branch on the (rare) carry: fewer instructions per trade than UInt128's branch-free add.
    private ulong _low;
    private ulong _high;

    /// <summary>The volume so far.</summary>
    public readonly UInt128 Value => new(_high, _low);

    /// <inheritdoc />
    public static void AddColumnNames(ICollection<string> names) => names.Add("Volume");

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Start(in Trade trade)
    {
        _low = (ulong)trade.Quantity;
        _high = 0;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Observe(in Trade trade)
    {
        var low = _low + (ulong)trade.Quantity;
        if (low < (ulong)trade.Quantity)
        {
            _high++;
        }

        _low = low;
    }

    /// <inheritdoc />
    public void Merge(in Volume later)
    {
        var sum = Value + later.Value;
        _low = (ulong)sum;
        _high = (ulong)(sum >> 64);
    }

    /// <inheritdoc />
    public readonly void WriteColumns(CsvRowWriter row) => row.Column(Value);
}
