using System.Runtime.CompilerServices;
using TradeStat.Domain.Batch;

namespace TradeStat.Infrastructure.Batch;

/// <summary>Largest trade price of the symbol.</summary>
public struct MaxPrice : ITradeMetric<MaxPrice>
{
    private long _max;

    /// <summary>The largest price so far.</summary>
    public readonly long Value => _max;

    /// <inheritdoc />
    public static void AddColumnNames(ICollection<string> names) => names.Add("MaxPrice");

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Start(in Trade trade) => _max = trade.Price;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Observe(in Trade trade)
    {
        // A compare and a rarely taken store (Math.Max stores every time).
        if (trade.Price > _max)
        {
            _max = trade.Price;
        }
    }

    /// <inheritdoc />
    public void Merge(in MaxPrice later) => _max = Math.Max(_max, later._max);

    /// <inheritdoc />
    public readonly void WriteColumns(CsvRowWriter row) => row.Column(_max);
}
