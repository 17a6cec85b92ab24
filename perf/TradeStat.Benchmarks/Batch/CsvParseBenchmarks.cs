using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using TradeStat.Domain.Batch;
using TradeStat.Infrastructure.Batch;

namespace TradeStat.Benchmarks.Batch;

/// <summary>
/// The batch hot loop on one thread, in memory (no I/O): <see cref="TradeLineParser"/> over 8 MB of generated
/// trade lines, beside a line-by-line string parse into the same metrics. Reported per line.
/// </summary>
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

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        var text = new StringBuilder();
        long time = 34_200_000_000;
        for (var i = 0; i < Lines; i++)
        {
            time += random.Next(0, 1_000);
            var s = (int)(Math.Pow(random.NextDouble(), 2) * 500);
            text.Append(CultureInfo.InvariantCulture, $"{time},{(char)('a' + s / 676 % 26)}{(char)('a' + s / 26 % 26)}{(char)('a' + s % 26)},{random.Next(1, 100)},{random.Next(10, 5_000)}\n");
        }

        var bytes = Encoding.ASCII.GetBytes(text.ToString());
        _length = bytes.Length;
        _buffer = new byte[bytes.Length + TradeLineParser.Padding];
        bytes.CopyTo(_buffer, 0);
        _text = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Lines, Description = "string.Split + long.Parse (ns/line)")]
    public long Strings()
    {
        var trades = new TradeAggregation<ReportMetrics>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
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
        _chunk.Trades.Clear();
        fixed (byte* start = _buffer)
        {
            TradeLineParser.Parse(start, start + _length, _chunk, _symbols, skipInvalid: false);
        }

        return _chunk.Accepted;
    }
}
