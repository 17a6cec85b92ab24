using System.Runtime.CompilerServices;
using TradeStat.Domain.Batch;

namespace TradeStat.Infrastructure.Batch;

/// <summary>Largest time between consecutive trades of the symbol (0 for one trade); mergeable through first/last timestamps.</summary>
public struct MaxTimeGap : ITradeMetric<MaxTimeGap>
{
    private long _first;
    private long _last;
    private long _maxGap;

    /// <summary>The largest gap seen so far, in microseconds.</summary>
    public readonly long Value => _maxGap;

    /// <inheritdoc />
    public static void AddColumnNames(ICollection<string> names) => names.Add("MaxTimeGap");

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Start(in Trade trade)
    {
        _first = trade.Timestamp;
        _last = trade.Timestamp;
        _maxGap = 0;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Observe(in Trade trade)
    {
        // A compare and a rarely taken store (Math.Max stores every time).
        var gap = trade.Timestamp - _last;
        if (gap > _maxGap)
        {
            _maxGap = gap;
        }

        _last = trade.Timestamp;
    }

    /// <inheritdoc />
    public void Merge(in MaxTimeGap later)
    {
        // The gap that spans the two partials is the later's first trade minus this one's last.
        _maxGap = Math.Max(Math.Max(_maxGap, later._maxGap), later._first - _last);
        _last = later._last;
    }

    /// <inheritdoc />
    public readonly void WriteColumns(CsvRowWriter row) => row.Column(_maxGap);
}
