using System.Text;

namespace TradeStat.Infrastructure.Feed;

/// <summary>
/// Lookup O(|symbol|), build expected O(n); memory a <see cref="PerfectHashTable"/>, a state and a name per symbol ever
/// listed. An immutable symbol universe: the perfect-hash table over the symbols' UTF-8 bytes, each symbol's state and
/// the sorted list of the listed ones. A symbol that leaves the list (delisted, or in BREAK) is retired: no longer
/// listed, yet its state stays in the table so that its statistics remain readable, and it counts on in that same state
/// if it is listed again. Refreshes build a new universe that reuses every state of the previous one, then swap it in.
/// </summary>
public sealed class FeedUniverse
{
    private const int MaxSymbolBytes = 64;
    private readonly PerfectHashTable _table;
    private readonly FeedSymbol[] _states;

    private FeedUniverse(PerfectHashTable table, FeedSymbol[] states, string[] listed, string[] retired)
    {
        _table = table;
        _states = states;
        Symbols = listed;
        Retired = retired;
    }

    /// <summary>The empty universe.</summary>
    public static FeedUniverse Empty { get; } = Create([], null, 2);

    /// <summary>
    /// A universe of restored states, none listed yet: the next <see cref="Create"/> lists those still tradable and keeps
    /// the rest readable, with their statistics.
    /// </summary>
    internal static FeedUniverse FromStates(IReadOnlyList<FeedSymbol> states)
    {
        var sorted = states.OrderBy(s => s.Symbol, StringComparer.Ordinal).ToArray();
        var keys = sorted.Select(s => Encoding.UTF8.GetBytes(s.Symbol)).ToArray();
        return new FeedUniverse(PerfectHashTable.Build(keys), sorted, [], [.. sorted.Select(s => s.Symbol)]);
    }

    /// <summary>The listed symbols, sorted ordinally.</summary>
    public IReadOnlyList<string> Symbols { get; }

    /// <summary>Symbols listed before and not now, sorted ordinally: not listed, their statistics still readable.</summary>
    public IReadOnlyList<string> Retired { get; }

    /// <summary>Every state, in table index order: the listed symbols' (as <see cref="Symbols"/>), then the retired ones'.</summary>
    public IReadOnlyList<FeedSymbol> States => _states;

    /// <summary>The perfect-hash table (for diagnostics and benchmarks).</summary>
    public PerfectHashTable Table => _table;

    /// <summary>
    /// Builds a universe listing <paramref name="symbols"/> (upper-cased, duplicates dropped). Every state of
    /// <paramref name="previous"/> is carried over: a listed symbol keeps its state, and one no longer listed is retired
    /// with it.
    /// </summary>
    public static FeedUniverse Create(IEnumerable<string> symbols, FeedUniverse? previous, int maxDistinctPrices, int maxHeld = FeedSymbol.DefaultMaxHeld)
    {
        var listed = symbols.Select(Normalize).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var listedSet = listed.ToHashSet(StringComparer.Ordinal);
        var retired = previous is null
            ? []
            : previous._states.Where(s => !listedSet.Contains(s.Symbol)).OrderBy(s => s.Symbol, StringComparer.Ordinal).ToArray();
        var keys = new byte[listed.Length + retired.Length][];
        var states = new FeedSymbol[keys.Length];
        for (var i = 0; i < listed.Length; i++)
        {
            keys[i] = Encoding.UTF8.GetBytes(listed[i]);
            states[i] = previous?.Find(keys[i]) ?? new FeedSymbol(listed[i], maxDistinctPrices, maxHeld);
        }

        for (var j = 0; j < retired.Length; j++)
        {
            keys[listed.Length + j] = Encoding.UTF8.GetBytes(retired[j].Symbol);
            states[listed.Length + j] = retired[j];
        }

        var table = PerfectHashTable.Build(keys);
        return new FeedUniverse(table, states, listed, [.. retired.Select(s => s.Symbol)]);
    }

    /// <summary>
    /// The state of the symbol with exactly these UTF-8 bytes, listed or retired, or null when it was never listed.
    /// O(|symbol|), no allocation.
    /// </summary>
    public FeedSymbol? Find(ReadOnlySpan<byte> utf8Symbol)
    {
        var i = _table.IndexOf(utf8Symbol);
        return i < 0 ? null : _states[i];
    }

    /// <summary>True when the symbol with exactly these UTF-8 bytes is listed now (false when retired or never listed).</summary>
    public bool IsListed(ReadOnlySpan<byte> utf8Symbol) => (uint)_table.IndexOf(utf8Symbol) < (uint)Symbols.Count;

    /// <summary>Case-insensitive lookup (ASCII letters upper-cased), as the API receives symbols; listed or retired.</summary>
    public FeedSymbol? FindIgnoreCase(ReadOnlySpan<char> symbol)
    {
        Span<byte> utf8 = stackalloc byte[MaxSymbolBytes * 4];
        if (symbol.Length > MaxSymbolBytes || !Encoding.UTF8.TryGetBytes(symbol, utf8, out var length))
        {
            return null;
        }

        var bytes = utf8[..length];
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] is >= (byte)'a' and <= (byte)'z')
            {
                bytes[i] -= 'a' - 'A';
            }
        }

        return Find(bytes);
    }

    /// <summary>Upper-cases ASCII letters only (Binance symbols may hold other UTF-8 characters, kept as they are).</summary>
    public static string Normalize(string symbol) =>
        string.Create(symbol.Length, symbol, static (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
            {
                span[i] = s[i] is >= 'a' and <= 'z' ? (char)(s[i] - ('a' - 'A')) : s[i];
            }
        });
}
