using System.Buffers;
using System.Runtime.CompilerServices;

namespace TradeStat.Domain.Trades;

/// <summary>
/// The metric states of every symbol seen in one stretch of the input (a chunk, or everything merged so far),
/// indexed by <see cref="SymbolTable"/> id.
/// </summary>
/// <remarks>
/// Observe O(1); merge and clear O(symbols touched). Memory: one state per id up to the highest id seen
/// (~100 bytes for <see cref="SeedMetrics"/>) plus 4 bytes per touched symbol; nothing grows with the trade count.
/// </remarks>
public sealed class TradeAggregation<TMetrics>
    where TMetrics : struct, ITradeMetric<TMetrics>
{
    private SymbolState[] _states;
    private int[] _touched;
    private int _touchedCount;

    /// <summary>Creates an empty aggregation with room for <paramref name="initialSymbols"/> ids.</summary>
    public TradeAggregation(int initialSymbols = 256)
    {
        _states = new SymbolState[Math.Max(initialSymbols, 16)];
        _touched = new int[Math.Max(initialSymbols, 16)];
    }

    /// <summary>Number of symbols with at least one trade.</summary>
    public int SymbolCount => _touchedCount;

    /// <summary>Adds a trade of symbol <paramref name="id"/>; trades of one symbol arrive in time order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Observe(int id, in Trade trade)
    {
        if ((uint)id >= (uint)_states.Length)
        {
            Grow(id);
        }

        ref var state = ref _states[id];
        if (state.Trades++ == 0)
        {
            state.Metrics.Start(trade);
            Touch(id);
        }
        else
        {
            state.Metrics.Observe(trade);
        }
    }

    /// <summary>Number of trades of symbol <paramref name="id"/>.</summary>
    public long TradesOf(int id) => (uint)id < (uint)_states.Length ? _states[id].Trades : 0;

    /// <summary>The metric state of symbol <paramref name="id"/> (default when it has no trade).</summary>
    public TMetrics MetricsOf(int id) => (uint)id < (uint)_states.Length ? _states[id].Metrics : default;

    /// <summary>Absorbs <paramref name="later"/>, whose trades all come after this aggregation's.</summary>
    public void MergeFrom(TradeAggregation<TMetrics> later)
    {
        ArgumentNullException.ThrowIfNull(later);
        for (var i = 0; i < later._touchedCount; i++)
        {
            var id = later._touched[i];
            ref readonly var source = ref later._states[id];
            if ((uint)id >= (uint)_states.Length)
            {
                Grow(id);
            }

            ref var target = ref _states[id];
            if (target.Trades == 0)
            {
                target = source;
                Touch(id);
            }
            else
            {
                target.Trades += source.Trades;
                target.Metrics.Merge(source.Metrics);
            }
        }
    }

    /// <summary>Forgets every trade, keeping the allocated room.</summary>
    public void Clear()
    {
        for (var i = 0; i < _touchedCount; i++)
        {
            _states[_touched[i]] = default;
        }

        _touchedCount = 0;
    }

    /// <summary>Writes one row per symbol, sorted by symbol bytes (ordinal): <c>symbol,columns…\n</c>.</summary>
    public void WriteCsv(SymbolTable symbols, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        var ids = _touched.AsSpan(0, _touchedCount).ToArray();
        Array.Sort(ids, (a, b) => symbols.Name(a).SequenceCompareTo(symbols.Name(b)));
        var row = new CsvRowWriter(output);
        foreach (var id in ids)
        {
            row.BeginRow(symbols.Name(id));
            _states[id].Metrics.WriteColumns(row);
            row.EndRow();
        }
    }

    /// <summary>The ids of the symbols with trades, in the order they were first seen.</summary>
    public ReadOnlySpan<int> Symbols => _touched.AsSpan(0, _touchedCount);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int id)
    {
        var size = Math.Max(_states.Length * 2, id + 1);
        Array.Resize(ref _states, size);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Touch(int id)
    {
        if (_touchedCount == _touched.Length)
        {
            Array.Resize(ref _touched, _touched.Length * 2);
        }

        _touched[_touchedCount++] = id;
    }

    private struct SymbolState
    {
        public long Trades;
        public TMetrics Metrics;
    }
}
