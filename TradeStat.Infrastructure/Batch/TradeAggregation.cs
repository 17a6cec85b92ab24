using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using TradeStat.Domain.Batch;

namespace TradeStat.Infrastructure.Batch;

/// <summary>
/// Observe O(1), merge and clear O(symbols touched); memory 4 bytes per id up to the highest seen plus one state per symbol.
/// The metric states of every symbol seen in one stretch of the input (a chunk, or everything merged so far),
/// indexed by <see cref="SymbolTable"/> id.
/// </summary>
/// <remarks>
/// The 4 bytes per id are the slot index; the state (a <see cref="ReportMetrics"/> in the report) exists only for the
/// symbols this aggregation saw, and nothing grows with the trade count.
/// </remarks>
public sealed unsafe class TradeAggregation<TMetrics>
    where TMetrics : struct, ITradeMetric<TMetrics>
{
    private int[] _slotOf;          // symbol id → slot + 1 (0: no trade here)
    private TMetrics[] _states;     // by slot, in the order symbols were first seen
    private int[] _idOf;            // slot → symbol id
    private int _count;

    // ObserveSoon's trades not yet applied, oldest at _pendingNext: a ring of Lag entries, Slot −1 when empty.
    private const int Lag = 8;
    private const int DeferFrom = 2048; // symbols; below, the states fit the near caches
    private readonly Pending[] _pending = new Pending[Lag];
    private int _pendingNext;

    /// <summary>Creates an empty aggregation with room for <paramref name="initialSymbols"/> symbols.</summary>
    public TradeAggregation(int initialSymbols = 256)
    {
        var size = Math.Max(initialSymbols, 16);
        _slotOf = new int[size];
        _states = new TMetrics[size];
        _idOf = new int[size];
        ClearPending();
    }

    /// <summary>Number of symbols with at least one trade.</summary>
    public int SymbolCount => _count;

    /// <summary>The ids of the symbols with trades, in the order they were first seen.</summary>
    public ReadOnlySpan<int> Symbols => _idOf.AsSpan(0, _count);

    /// <summary>Adds a trade of symbol <paramref name="id"/>; trades of one symbol arrive in time order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Observe(int id, in Trade trade)
    {
        var slotOf = _slotOf;
        if ((uint)id < (uint)slotOf.Length)
        {
            var slot = slotOf[id] - 1;
            if (slot >= 0)
            {
                // slot < _count ≤ _states.Length (NewSlot grows the array first): no bounds check needed.
                Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_states), slot).Observe(trade);
                return;
            }
        }

        Add(id, trade);
    }

    /// <summary>
    /// As <see cref="Observe"/>, but the trade is applied <see cref="Lag"/> trades later (or at
    /// <see cref="ApplyPending"/>), its state's cache lines fetched meanwhile: with thousands of symbols the states
    /// outgrow the near caches, and waiting for one on every line would stall the parsing. Trades of one symbol are
    /// still applied in order. Call <see cref="ApplyPending"/> before reading, merging or clearing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ObserveSoon(int id, in Trade trade)
    {
        var slotOf = _slotOf;
        int slot;
        if ((uint)id >= (uint)slotOf.Length || (slot = slotOf[id] - 1) < 0)
        {
            Add(id, trade); // a first trade starts its state now: no pending trade can be of this symbol
            return;
        }

        ref var states = ref MemoryMarshal.GetArrayDataReference(_states);
        if (_count < DeferFrom)
        {
            // Few states stay in the near caches: the ring would only add work. (Pending trades exist only once
            // the count is past this, and it does not go down before ApplyPending.)
            Unsafe.Add(ref states, slot).Observe(trade);
            return;
        }

        if (Sse.IsSupported)
        {
            var state = (byte*)Unsafe.AsPointer(ref Unsafe.Add(ref states, slot));
            Sse.Prefetch0(state);
            Sse.Prefetch0(state + Unsafe.SizeOf<TMetrics>() - 1);
        }

        var next = _pendingNext;
        ref var entry = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_pending), next);
        if (entry.Slot >= 0)
        {
            // entry.Slot < _count ≤ _states.Length: no bounds check needed.
            Unsafe.Add(ref states, entry.Slot).Observe(entry.Trade);
        }

        entry.Slot = slot;
        entry.Trade = trade;
        _pendingNext = (next + 1) & (Lag - 1);
    }

    /// <summary>Applies the trades <see cref="ObserveSoon"/> still holds, in order.</summary>
    public void ApplyPending()
    {
        for (var i = 0; i < Lag; i++)
        {
            ref var entry = ref _pending[(_pendingNext + i) & (Lag - 1)];
            if (entry.Slot >= 0)
            {
                _states[entry.Slot].Observe(entry.Trade);
                entry.Slot = -1;
            }
        }

        _pendingNext = 0;
    }

    /// <summary>The metric state of symbol <paramref name="id"/> (default when it has no trade).</summary>
    public TMetrics MetricsOf(int id) => SlotOf(id) is var slot and >= 0 ? _states[slot] : default;

    /// <summary>Absorbs <paramref name="later"/>, whose trades all come after this aggregation's.</summary>
    public void MergeFrom(TradeAggregation<TMetrics> later)
    {
        ArgumentNullException.ThrowIfNull(later);
        for (var i = 0; i < later._count; i++)
        {
            var id = later._idOf[i];
            ref readonly var source = ref later._states[i];
            var slot = SlotOf(id);
            if (slot < 0)
            {
                slot = NewSlot(id);
                _states[slot] = source;
            }
            else
            {
                _states[slot].Merge(source);
            }
        }
    }

    /// <summary>Forgets every trade, keeping the allocated room.</summary>
    public void Clear()
    {
        for (var i = 0; i < _count; i++)
        {
            _slotOf[_idOf[i]] = 0;
            _states[i] = default;
        }

        _count = 0;
        ClearPending();
    }

    /// <summary>Writes one row per symbol, sorted by symbol bytes (ordinal): <c>symbol,columns…\n</c>.</summary>
    public void WriteCsv(SymbolTable symbols, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        var slots = new int[_count];
        for (var i = 0; i < slots.Length; i++)
        {
            slots[i] = i;
        }

        Array.Sort(slots, (a, b) => symbols.Name(_idOf[a]).SequenceCompareTo(symbols.Name(_idOf[b])));
        var row = new CsvRowWriter(output);
        foreach (var slot in slots)
        {
            row.BeginRow(symbols.Name(_idOf[slot]));
            _states[slot].WriteColumns(row);
            row.EndRow();
        }
    }

    // Every ring entry empty, the next one first.
    private void ClearPending()
    {
        for (var i = 0; i < Lag; i++)
        {
            _pending[i].Slot = -1;
        }

        _pendingNext = 0;
    }

    private struct Pending
    {
        public int Slot;
        public Trade Trade;
    }

    private int SlotOf(int id) => (uint)id < (uint)_slotOf.Length ? _slotOf[id] - 1 : -1;

    // The first trade of a symbol in this aggregation. By value: passing the caller's trade by reference to a call
    // would keep it in memory (not in registers) in the hot loop.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Add(int id, Trade trade)
    {
        var slot = NewSlot(id);
        _states[slot].Start(trade);
    }

    private int NewSlot(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        if (id >= _slotOf.Length)
        {
            Array.Resize(ref _slotOf, Math.Max(_slotOf.Length * 2, id + 1));
        }

        if (_count == _states.Length)
        {
            Array.Resize(ref _states, _count * 2);
            Array.Resize(ref _idOf, _count * 2);
        }

        var slot = _count++;
        _idOf[slot] = id;
        _slotOf[id] = slot + 1;
        return slot;
    }
}
