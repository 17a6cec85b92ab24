using System.Diagnostics;
using TradeStat.Domain.Batch;
using TradeStat.Infrastructure.Batch;

namespace TradeStat.Benchmarks.Batch;

/// <summary>
/// In-process read of a file in the page cache (<c>csv INPUT [--threads N] [--runs N] [--parse-only]</c>): steady-state GB/s of
/// <see cref="TradeCsvReader{TMetrics}"/>, without process start-up, after a warm-up run.
/// </summary>
public static class CsvThroughput
{
    public static int Run(string[] args)
    {
        var path = args[0];
        var threadsAt = Array.IndexOf(args, "--threads");
        var runsAt = Array.IndexOf(args, "--runs");
        var threads = threadsAt >= 0 ? int.Parse(args[threadsAt + 1], System.Globalization.CultureInfo.InvariantCulture) : Environment.ProcessorCount;
        var runs = runsAt >= 0 ? int.Parse(args[runsAt + 1], System.Globalization.CultureInfo.InvariantCulture) : 5;
        return args.Contains("--parse-only")
            ? Measure<ParseOnly>(path, threads, runs)
            : Measure<ReportMetrics>(path, threads, runs);
    }

    private static int Measure<TMetrics>(string path, int threads, int runs)
        where TMetrics : struct, ITradeMetric<TMetrics>
    {
        var reader = new TradeCsvReader<TMetrics>(new CsvReadOptions { Threads = threads });
        reader.ReadFile(path); // warm-up: JIT to the optimised tier
        var best = double.MaxValue;
        long bytes = 0;
        for (var i = 0; i < runs; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            var analysis = reader.ReadFile(path);
            var seconds = stopwatch.Elapsed.TotalSeconds;
            bytes = analysis.Bytes;
            best = Math.Min(best, seconds);
            Console.WriteLine($"run {i + 1}: {seconds:F3} s, {bytes / 1e9 / seconds:F3} GB/s, {analysis.Lines / seconds / 1e6:F1} M lines/s");
        }

        Console.WriteLine($"best: {bytes / 1e9 / best:F3} GB/s with {threads} thread(s){(typeof(TMetrics) == typeof(ParseOnly) ? ", no metrics (parse only)" : "")}");
        return 0;
    }

    /// <summary>A metric that does nothing: what the parser and the reader cost alone (<c>--parse-only</c>).</summary>
    private struct ParseOnly : ITradeMetric<ParseOnly>
    {
        public static void AddColumnNames(ICollection<string> names)
        {
        }

        public void Start(in Trade trade)
        {
        }

        public void Observe(in Trade trade)
        {
        }

        public void Merge(in ParseOnly later)
        {
        }

        public readonly void WriteColumns(CsvRowWriter row)
        {
        }
    }
}
