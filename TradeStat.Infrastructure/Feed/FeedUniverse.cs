using System.Text;

namespace TradeStat.Infrastructure.Feed;

/// <summary>
/// Lookup O(|symbol|), build expected O(n); memory a <see cref="PerfectHashTable"/>, a state and a name per symbol.
/// An immutable symbol universe: the perfect-hash table over the symbols' UTF-8 bytes, each symbol's state and the
/// sorted list. Refreshes build a new universe that reuses the states of symbols still listed, then swap it in.
/// </summary>
public sealed class FeedUniverse
{
    private const int MaxSymbolBytes = 64;
    private readonly PerfectHashTable _table;
    private readonly FeedSymbol[] _states;

    private FeedUniverse(PerfectHashTable table, FeedSymbol[] states, string[] sorted)
    {
        _table = table;
        _states = states;
        Symbols = sorted;
    }

    /// <summary>The empty universe.</summary>
    public static FeedUniverse Empty { get; } = Create([], null, 2);

    /// <summary>Every symbol, sorted ordinally.</summary>
    public IReadOnlyList<string> Symbols { get; }

    /// <summary>The states, in table index order.</summary>
    public IReadOnlyList<FeedSymbol> States => _states;

    /// <summary>The perfect-hash table (for diagnostics and benchmarks).</summary>
    public PerfectHashTable Table => _table;

    /// <summary>
    /// Builds a universe over <paramref name="symbols"/> (upper-cased, duplicates dropped), carrying over the state of
    /// every symbol also in <paramref name="previous"/>.
    /// </summary>
    public static FeedUniverse Create(IEnumerable<string> symbols, FeedUniverse? previous, int maxDistinctPrices)
    {
        var names = symbols.Select(Normalize).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var keys = names.Select(n => Encoding.UTF8.GetBytes(n)).ToArray();
        var table = PerfectHashTable.Build(keys);
        var states = new FeedSymbol[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            states[i] = previous?.Find(keys[i]) ?? new FeedSymbol(names[i], maxDistinctPrices);
        }

        return new FeedUniverse(table, states, names);
    }

    /// <summary>The state of the symbol with exactly these UTF-8 bytes, or null. O(|symbol|), no allocation.</summary>
    public FeedSymbol? Find(ReadOnlySpan<byte> utf8Symbol)
    {
        var i = _table.IndexOf(utf8Symbol);
        return i < 0 ? null : _states[i];
    }

    /// <summary>Case-insensitive lookup (ASCII letters upper-cased), as the API receives symbols.</summary>
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
