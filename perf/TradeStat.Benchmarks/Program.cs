using BenchmarkDotNet.Running;
using TradeStat.Benchmarks.Batch;
using TradeStat.Benchmarks.Ceiling;

// `ceiling [--urls URL]` runs the plain-Kestrel ceiling app for HTTP load comparisons;
// `duckdb INPUT OUTPUT` and `csv INPUT` are the batch-analysis comparisons (docs/batch.md);
// anything else goes to BenchmarkDotNet (e.g. `--filter '*Ingest*'`).
if (args.Length > 0 && args[0] == "duckdb")
{
    return DuckDbBatch.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "csv")
{
    return CsvThroughput.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "ceiling")
{
    await CeilingApp.RunAsync(args[1..]);
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(CeilingApp).Assembly).Run(args);
return 0;
