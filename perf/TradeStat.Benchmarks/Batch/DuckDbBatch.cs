using System.Diagnostics;
using DuckDB.NET.Data;

namespace TradeStat.Benchmarks.Batch;

/// <summary>
/// The same output computed by DuckDB from the same file (<c>duckdb INPUT OUTPUT [--no-gap]</c>): the comparison
/// for docs/batch.md. Prints the wall time and the process's peak resident memory. MaxTimeGap needs a window
/// function (lag over each symbol's trades in time order), which DuckDB evaluates by partitioning and sorting
/// all rows: its memory grows with the input. <c>--no-gap</c> leaves that column out to show its cost.
/// </summary>
public static class DuckDbBatch
{
    public static int Run(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: duckdb INPUT OUTPUT [--no-gap] [--threads N]");
            return 2;
        }

        var input = Path.GetFullPath(args[0]).Replace("'", "''", StringComparison.Ordinal);
        var output = Path.GetFullPath(args[1]).Replace("'", "''", StringComparison.Ordinal);
        var noGap = args.Contains("--no-gap");
        var threadsAt = Array.IndexOf(args, "--threads");
        var threads = threadsAt >= 0 ? int.Parse(args[threadsAt + 1], System.Globalization.CultureInfo.InvariantCulture) : Environment.ProcessorCount;
        var source = $"read_csv('{input}', header = false, delim = ',', columns = {{'ts': 'BIGINT', 'symbol': 'VARCHAR', 'quantity': 'BIGINT', 'price': 'BIGINT'}})";
        var gap = noGap ? "0" : "coalesce(max(gap), 0)";
        var inner = noGap
            ? $"SELECT symbol, quantity, price FROM {source}"
            : $"SELECT symbol, quantity, price, ts - lag(ts) OVER (PARTITION BY symbol ORDER BY ts) AS gap FROM {source}";
        var sql = $"""
            COPY (
              SELECT symbol, {gap} AS max_gap, sum(quantity) AS volume,
                     sum(quantity::HUGEINT * price) // sum(quantity) AS wap, max(price) AS max_price
              FROM ({inner})
              GROUP BY symbol ORDER BY symbol
            ) TO '{output}' (HEADER false, DELIMITER ',', QUOTE '')
            """;

        var stopwatch = Stopwatch.StartNew();
        using (var connection = new DuckDBConnection("DataSource=:memory:"))
        {
            connection.Open();
            using var settings = connection.CreateCommand();
            settings.CommandText = $"SET threads = {threads}; SET preserve_insertion_order = false;";
            settings.ExecuteNonQuery();
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }

        var seconds = stopwatch.Elapsed.TotalSeconds;
        var bytes = new FileInfo(args[0]).Length;
        Console.WriteLine($"duckdb{(noGap ? " (no MaxTimeGap)" : "")}: {seconds:F3} s, {bytes / 1e9 / seconds:F3} GB/s, peak RSS {PeakRssMiB():F0} MiB, threads {threads}");
        return 0;
    }

    /// <summary>VmHWM of this process in MiB.</summary>
    public static double PeakRssMiB()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return double.NaN;
    }
}
