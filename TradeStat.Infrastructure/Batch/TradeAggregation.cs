using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using TradeStat.Domain.Batch;

namespace TradeStat.Infrastructure.Batch;

/// <summary>
/// Observe O(1), merge and clear O(symbols touched); memory 4 bytes per id up to the highest seen plus one state per
/// symbol, and 3 MiB for the letter states once a letter symbol comes.
/// The metric states of every symbol seen in one stretch of the input (a chunk, or everything merged so far): letter
/// symbols' (<see cref="SymbolTable.IsLetters"/>) at their <see cref="SymbolTable.LetterKey"/>, the others' indexed
/// by <see cref="SymbolTable"/> id.
/// </summary>
/// <remarks>
/// The 4 bytes per id are the slot index; the state (a <see cref="ReportMetrics"/> in the report) exists only for the
/// symbols this aggregation saw, and nothing grows with the trade count. A letter symbol's state is found with no
/// load at all (its key is computed from its bytes), so with thousands of symbols its cache lines can be fetched
/// while the lines before it are parsed; the entry holds the symbol's bytes, which tell the first trade apart.
/// </remarks>
public sealed unsafe class TradeAggregation<TMetrics>
    where TMetrics : struct, ITradeMetric<TMetrics>
{
    private int[] _slotOf;          // symbol id → slot + 1 (0: no trade here)
    private TMetrics[] _states;     // by slot, in the order symbols were first seen
    private int[] _idOf;            // slot → symbol id
    private int _count;

    // Letter states: LetterKeys entries of a state and its symbol's bytes (0: no trade here), in 2 MiB pages where the
    // kernel grants them (ReportMetrics' 96-byte entries, 32-byte aligned, each span two cache lines, never three). Until the first letter symbol comes,
    // _letters points at NoLetters: every entry reads as empty, and the first trade allocates the aggregation's own.
    private static readonly byte* NoLetters = (byte*)NativeMemory.AllocZeroed((nuint)(SymbolTable.LetterKeys * Unsafe.SizeOf<LetterEntry>()));
    private ChunkMemory? _letterMemory;
    private byte* _letters = NoLetters;
    private int[] _letterKeys = [];  // the keys with trades, in the order first seen
    private int _letterCount;
    private SymbolTable? _symbols;   // who owns each letter key; set by UseLetters

    // ObserveSoon's and ObserveLetters' trades not yet applied, oldest at _pendingNext: a ring of Lag entries, Slot −1
    // when empty.
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
    public int SymbolCount => _count + _letterCount;

    /// <summary>
    /// Whether letter symbols can have letter states here: only for metrics without references (the states live
    /// outside the managed heap). Otherwise every symbol takes the id path.
    /// </summary>
    public static bool LettersSupported => !RuntimeHelpers.IsReferenceOrContainsReferences<TMetrics>();

    /// <summary>
    /// Sets the table that settles who owns a letter key (<see cref="SymbolTable.OwnsLetterKey"/>; every aggregation
    /// of one run must use the same one). Call before <see cref="ObserveLetters"/>; the letter states themselves are
    /// allocated at the first letter symbol.
    /// </summary>
    internal void UseLetters(SymbolTable symbols)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        if (_symbols is not null && _symbols != symbols)
        {
            throw new InvalidOperationException("An aggregation's letter keys belong to one symbol table.");
        }

        _symbols = symbols;
    }

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
    /// still applied in order. Call <see cref="ApplyPending"/> before reading or merging (<see cref="Clear"/> drops
    /// what is pending). Between two <see cref="ApplyPending"/> calls a symbol must come either here or through
    /// <see cref="ObserveLetters"/>, not both: a non-owner's letter trade still pending would otherwise be applied
    /// after a later trade that <see cref="ObserveSoon"/> started its id state with. The parser picks one path for
    /// a chunk and applies what is pending at the chunk's end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ObserveSoon(int id, in Trade trade)
    {
        var slotOf = _slotOf;
        int slot;
        if ((uint)id >= (uint)slotOf.Length || (slot = slotOf[id] - 1) < 0)
        {
            Add(id, trade); // a first trade starts its state now: no pending trade is of this symbol (see above)
            return;
        }

        ref var states = ref MemoryMarshal.GetArrayDataReference(_states);
        if (_count + _letterCount < DeferFrom)
        {
            // Few states stay in the near caches: the ring would only add work. (Pending trades exist only once
            // the count is past this, and it does not go down before ApplyPending.)
            Unsafe.Add(ref states, slot).Observe(trade);
            return;
        }

        Defer((byte*)Unsafe.AsPointer(ref Unsafe.Add(ref states, slot)), Unsafe.SizeOf<TMetrics>(), slot, 0, trade);
    }

    /// <summary>
    /// As <see cref="ObserveSoon"/> for a letter symbol (<see cref="SymbolTable.IsLetters"/>; its three bytes,
    /// little-endian): its state is at its letter key, so no lookup comes before the fetch of its cache lines. Needs
    /// <see cref="UseLetters"/> first; a symbol that does not own its key (<see cref="SymbolTable.OwnsLetterKey"/>)
    /// goes on by id when its trade is applied, in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ObserveLetters(uint symbol, in Trade trade)
    {
        Debug.Assert(SymbolTable.IsLetters(symbol | (uint)',' << 24), "a letter symbol");
        var key = SymbolTable.LetterKey(symbol);
        ref var state = ref Letter(key);
        if (_count + _letterCount < DeferFrom)
        {
            if (state.Symbol == symbol)
            {
                state.State.Observe(trade);
            }
            else
            {
                StartLetters(key, symbol, trade);
            }

            return;
        }

        Defer((byte*)Unsafe.AsPointer(ref state), Unsafe.SizeOf<LetterEntry>(), key, symbol, trade);
    }

    /// <summary>Applies the trades <see cref="ObserveSoon"/> still holds, in order.</summary>
    public void ApplyPending()
    {
        for (var i = 0; i < Lag; i++)
        {
            ref var entry = ref _pending[(_pendingNext + i) & (Lag - 1)];
            Apply(ref entry);
            entry.Slot = -1;
        }

        _pendingNext = 0;
    }

    /// <summary>Whether any letter symbol has a letter state here.</summary>
    internal bool HasLetters => _letterCount > 0;

    /// <summary>
    /// Moves every letter state to its symbol's id slot (the symbol is given an id in <paramref name="symbols"/>):
    /// once the run's letter keys closed (<see cref="SymbolTable.LetterKeysClosed"/>) every symbol goes by id, and an
    /// aggregation must not hold one symbol in both places. A letter state holds the symbol's earlier trades.
    /// </summary>
    internal void MoveLettersToIds(SymbolTable symbols)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        ApplyPending();
        for (var i = 0; i < _letterCount; i++)
        {
            ref var letter = ref Letter(_letterKeys[i]);
            var symbol = letter.Symbol;
            var id = symbols.GetOrAddThreeByte((int)symbol);
            var slot = SlotOf(id);
            if (slot < 0)
            {
                slot = NewSlot(id); // (may replace _states: not inside the indexing expression)
                _states[slot] = letter.State;
            }
            else
            {
                var merged = letter.State;
                merged.Merge(_states[slot]);
                _states[slot] = merged;
            }

            letter = default;
        }

        _letterCount = 0;
    }

    /// <summary>
    /// Forgets every trade and frees the letter states' block now (not at the next garbage collection): for an
    /// aggregation a run no longer uses.
    /// </summary>
    internal void Release()
    {
        Clear();
        if (_letterMemory is not null)
        {
            _letters = NoLetters;
            _letterMemory.Dispose();
            _letterMemory = null;
        }
    }

    /// <summary>Absorbs <paramref name="later"/>, whose trades all come after this aggregation's.</summary>
    public void MergeFrom(TradeAggregation<TMetrics> later)
    {
        ArgumentNullException.ThrowIfNull(later);
        if (later._letterCount > 0)
        {
            // Both of one run: a key's owner is the same symbol in both.
            if (_letterMemory is null)
            {
                AllocateLetters();
            }

            for (var i = 0; i < later._letterCount; i++)
            {
                var key = later._letterKeys[i];
                ref readonly var source = ref later.Letter(key);
                ref var target = ref Letter(key);
                if (target.Symbol == 0)
                {
                    target = source;
                    AddLetterKey(key);
                }
                else
                {
                    Debug.Assert(target.Symbol == source.Symbol, "a letter key has one owner in a run");
                    target.State.Merge(source.State);
                }
            }
        }

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

        for (var i = 0; i < _letterCount; i++)
        {
            Letter(_letterKeys[i]) = default;
        }

        _letterCount = 0;
        _count = 0;
        ClearPending();
    }

    /// <summary>Writes one row per symbol, sorted by symbol bytes (ordinal): <c>symbol,columns…\n</c>.</summary>
    public void WriteCsv(SymbolTable symbols, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        // Rows by name: a slot (≥ 0) or a letter key (~key, < 0).
        var rows = new int[_count + _letterCount];
        for (var i = 0; i < _count; i++)
        {
            rows[i] = i;
        }

        for (var i = 0; i < _letterCount; i++)
        {
            rows[_count + i] = ~_letterKeys[i];
        }

        Array.Sort(rows, (a, b) => NameOf(a, symbols).SequenceCompareTo(NameOf(b, symbols)));
        var row = new CsvRowWriter(output);
        foreach (var index in rows)
        {
            row.BeginRow(NameOf(index, symbols));
            if (index >= 0)
            {
                _states[index].WriteColumns(row);
            }
            else
            {
                Letter(~index).State.WriteColumns(row);
            }

            row.EndRow();
        }
    }

    // A row's symbol: by id for a slot, from the entry's bytes for a letter key.
    private ReadOnlySpan<byte> NameOf(int row, SymbolTable symbols) =>
        row >= 0 ? symbols.Name(_idOf[row]) : new ReadOnlySpan<byte>(Unsafe.AsPointer(ref Letter(~row).Symbol), 3);

    // The trade into the ring (a slot with symbol 0, or a letter key and its symbol), the `size` bytes of its state
    // at `state` fetched meanwhile; the ring's oldest trade is applied to make room.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Defer(byte* state, int size, int slot, uint symbol, in Trade trade)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(state);
            Sse.Prefetch0(state + size - 1);
        }

        var next = _pendingNext;
        ref var entry = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_pending), next);
        Apply(ref entry);
        entry.Slot = slot;
        entry.Symbol = symbol;
        entry.Trade = trade;
        _pendingNext = (next + 1) & (Lag - 1);
    }

    // A pending trade, if any, into its state.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Apply(ref Pending entry)
    {
        var slot = entry.Slot;
        if (slot < 0)
        {
            return;
        }

        // One Observe for both kinds (the metrics' code inlined once here, not twice).
        ref var state = ref Unsafe.NullRef<TMetrics>();
        if (entry.Symbol == 0)
        {
            // slot < _count ≤ _states.Length: no bounds check needed.
            state = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_states), slot);
        }
        else
        {
            ref var letter = ref Letter(slot);
            if (letter.Symbol != entry.Symbol)
            {
                StartLetters(slot, entry.Symbol, entry.Trade);
                return;
            }

            state = ref letter.State;
        }

        state.Observe(entry.Trade);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref LetterEntry Letter(int key) => ref Unsafe.AsRef<LetterEntry>(_letters + (nint)key * Unsafe.SizeOf<LetterEntry>());

    // A letter symbol's trade whose entry does not hold it: its first trade here when it owns the key, else (another
    // letter symbol owns the key, or the keys closed before this one claimed it) a trade for the id path. By value,
    // as Add.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void StartLetters(int key, uint symbol, Trade trade)
    {
        ref var state = ref Letter(key);
        if (state.Symbol == 0 && _symbols!.OwnsLetterKey(symbol))
        {
            if (_letterMemory is null)
            {
                AllocateLetters();
                state = ref Letter(key);
            }

            state.Symbol = symbol;
            state.State.Start(trade);
            AddLetterKey(key);
            return;
        }

        Observe(_symbols!.GetOrAddThreeByte((int)symbol), trade);
    }

    // This aggregation's own letter states, in place of NoLetters: 3 MiB in 2 MiB pages where the kernel grants them,
    // zeroed here once, then by Clear per entry used.
    private void AllocateLetters()
    {
        _letterMemory = new ChunkMemory(SymbolTable.LetterKeys * Unsafe.SizeOf<LetterEntry>());
        NativeMemory.Clear(_letterMemory.Data, (nuint)_letterMemory.Length);
        _letters = _letterMemory.Data;
        _letterKeys = new int[64];
    }

    private void AddLetterKey(int key)
    {
        if (_letterCount == _letterKeys.Length)
        {
            Array.Resize(ref _letterKeys, _letterCount * 2);
        }

        _letterKeys[_letterCount++] = key;
    }

    // A letter key's entry: the symbol's state and its bytes (0 when it has no trade here).
    private struct LetterEntry
    {
        public TMetrics State;
        public uint Symbol;
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

    // A slot (Symbol 0), or a letter key and its symbol.
    private struct Pending
    {
        public int Slot;
        public uint Symbol;
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
