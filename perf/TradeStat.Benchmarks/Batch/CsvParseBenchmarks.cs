using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using TradeStat.Domain.Batch;
using TradeStat.Infrastructure.Batch;

namespace TradeStat.Benchmarks.Batch;

/// <summary>
/// The batch hot loop on one thread, in memory (no I/O): <see cref="TradeLineParser"/> over 350,000 generated trade
/// lines into the per-symbol metrics (two lines at a time where the CPU has AVX-512 VBMI2, and one at a time), beside
/// a line-by-line string parse into the same metrics, on each symbol universe
/// the batch job is measured on (<c>perf/batch/universes.sh</c>): one symbol, the generator's default of 500, all
/// 17,576 lowercase triples drawn uniformly, and the same drawn Zipf-like. Reported per line.
/// </summary>
/// <remarks>
/// The metrics accumulate across invocations (they are not cleared), so that, as in a file of millions of rows, every
/// symbol's state exists and the cost measured is the per-row one, not the first sight of each symbol.
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class CsvParseBenchmarks
{
    private const int Lines = 350_000;
    private byte[] _buffer = null!;
    private int _length;
    private string[] _text = null!;
    private readonly SymbolTable _symbols = new();
    private readonly CsvChunk<ReportMetrics> _chunk = new();
    private readonly TradeAggregation<ReportMetrics> _stringTrades = new();
    private readonly Dictionary<string, int> _stringIds = new(StringComparer.Ordinal);

    /// <summary>Symbols and how often each is drawn, as <c>gen.sh --symbols N --distribution D</c>.</summary>
    [Params("1", "500", "17576-uniform", "17576-zipf")]
    public string Universe { get; set; } = "500";

    [GlobalSetup]
    public void Setup()
    {
        var (symbols, distribution) = Universe switch
        {
            "1" => (1, SymbolDistribution.Sqrt),
            "500" => (500, SymbolDistribution.Sqrt),
            "17576-uniform" => (17_576, SymbolDistribution.Uniform),
            "17576-zipf" => (17_576, SymbolDistribution.Zipf),
            _ => throw new InvalidOperationException($"Unknown universe {Universe}."),
        };
        using var lines = new MemoryStream();
        new TradeGenerator(Lines, symbols, seed: 1, distribution).WriteTo(lines);
        var bytes = lines.ToArray();
        _length = bytes.Length;
        _buffer = new byte[bytes.Length + TradeLineParser.Padding];
        bytes.CopyTo(_buffer, 0);
        _text = Encoding.ASCII.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Lines, Description = "string.Split + long.Parse (ns/line)")]
    public long Strings()
    {
        var trades = _stringTrades;
        var ids = _stringIds;
        foreach (var line in _text)
        {
            var fields = line.Split(',');
            if (!ids.TryGetValue(fields[1], out var id))
            {
                ids[fields[1]] = id = ids.Count;
            }

            trades.Observe(id, new Trade(long.Parse(fields[0], CultureInfo.InvariantCulture),
                long.Parse(fields[2], CultureInfo.InvariantCulture), long.Parse(fields[3], CultureInfo.InvariantCulture)));
        }

        return trades.SymbolCount;
    }

    [Benchmark(OperationsPerInvoke = Lines, Description = "TradeLineParser (ns/line)")]
    public unsafe long Bytes()
    {
        _chunk.Reset();
        fixed (byte* start = _buffer)
        {
            TradeLineParser.Parse(start, start + _length, _chunk, _symbols, skipInvalid: false);
        }

        return _chunk.Accepted;
    }

    [Benchmark(OperationsPerInvoke = Lines, Description = "TradeLineParser, one line at a time (ns/line)")]
    public unsafe long BytesOneLineAtATime()
    {
        _chunk.Reset();
        fixed (byte* start = _buffer)
        {
            TradeLineParser.Parse(start, start + _length, _chunk, _symbols, skipInvalid: false, twoLines: false);
        }

        return _chunk.Accepted;
    }
}
