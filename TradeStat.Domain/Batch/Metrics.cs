using System.Runtime.CompilerServices;

namespace TradeStat.Domain.Batch;

/// <summary>Two metrics as one: <typeparamref name="TFirst"/>'s columns, then <typeparamref name="TRest"/>'s. Nest it for more.</summary>
public struct Metrics<TFirst, TRest> : ITradeMetric<Metrics<TFirst, TRest>>
    where TFirst : struct, ITradeMetric<TFirst>
    where TRest : struct, ITradeMetric<TRest>
{
#pragma warning disable CS0649 // mutated in place through its methods, never assigned as a whole
    private TFirst _first;
    private TRest _rest;
#pragma warning restore CS0649

    /// <inheritdoc />
    public static void AddColumnNames(ICollection<string> names)
    {
        TFirst.AddColumnNames(names);
        TRest.AddColumnNames(names);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Start(in Trade trade)
    {
        _first.Start(trade);
        _rest.Start(trade);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Observe(in Trade trade)
    {
        _first.Observe(trade);
        _rest.Observe(trade);
    }

    /// <inheritdoc />
    public void Merge(in Metrics<TFirst, TRest> later)
    {
        _first.Merge(later._first);
        _rest.Merge(later._rest);
    }

    /// <inheritdoc />
    public readonly void WriteColumns(CsvRowWriter row)
    {
        _first.WriteColumns(row);
        _rest.WriteColumns(row);
    }
}
