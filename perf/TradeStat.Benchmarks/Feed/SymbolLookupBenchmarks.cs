using System.Collections.Frozen;
using System.Text;
using BenchmarkDotNet.Attributes;
using TradeStat.Infrastructure.Feed;

namespace TradeStat.Benchmarks.Feed;

/// <summary>
/// One symbol lookup, averaged over all 1961 exchangeInfo symbols in a shuffled order: the perfect hash from UTF-8 bytes
/// (what the feed does) against Dictionary&lt;string,int&gt; and FrozenDictionary&lt;string,int&gt; given ready-made strings
/// (their best case: the feed would first have to decode a string from the bytes).
/// </summary>
[ShortRunJob]
public class SymbolLookupBenchmarks
{
    private byte[][] _keyBytes = null!;
    private string[] _keyStrings = null!;
    private PerfectHashTable _perfect = null!;
    private Dictionary<string, int> _dictionary = null!;
    private FrozenDictionary<string, int> _frozen = null!;

    [GlobalSetup]
    public void Build()
    {
        var symbols = FeedData.Symbols();
        _perfect = PerfectHashTable.Build(symbols);
        _dictionary = symbols.Select((s, i) => (s, i)).ToDictionary(x => x.s, x => x.i, StringComparer.Ordinal);
        _frozen = _dictionary.ToFrozenDictionary(StringComparer.Ordinal);
        var order = symbols.ToArray();
        new Random(42).Shuffle(order);
        _keyStrings = order;
        _keyBytes = order.Select(s => Encoding.UTF8.GetBytes(s)).ToArray();
    }

    [Benchmark(OperationsPerInvoke = 1961)]
    public int PerfectHash()
    {
        var sum = 0;
        foreach (var k in _keyBytes)
        {
            sum += _perfect.IndexOf(k);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = 1961, Baseline = true)]
    public int Dictionary()
    {
        var sum = 0;
        foreach (var k in _keyStrings)
        {
            _dictionary.TryGetValue(k, out var v);
            sum += v;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = 1961)]
    public int Frozen()
    {
        var sum = 0;
        foreach (var k in _keyStrings)
        {
            _frozen.TryGetValue(k, out var v);
            sum += v;
        }

        return sum;
    }

    /// <summary>Building the table over the 1961 symbols (done at start and on each exchangeInfo refresh).</summary>
    [Benchmark]
    public int BuildTable() => PerfectHashTable.Build(_keyBytes).SlotCount;
}
