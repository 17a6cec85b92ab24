using BenchmarkDotNet.Running;
using TradeStat.Benchmarks;
using TradeStat.Benchmarks.Batch;

// `duckdb INPUT OUTPUT` and `csv INPUT` are the batch-analysis comparisons (docs/batch.md); `checkpoint`,
// `checkpoint-budget`, `checkpoint-load` and `checkpoint-throughput` the feed's checkpoint costs (docs/feed.md);
// anything else goes to BenchmarkDotNet (e.g. `--filter '*Ingest*'`). The HTTP ceiling is its own app (TradeStat.Ceiling).
if (args.Length > 0 && args[0] == "duckdb")
{
    return DuckDbBatch.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "csv")
{
    return CsvThroughput.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "checkpoint")
{
    return TradeStat.Benchmarks.Feed.CheckpointCost.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "checkpoint-budget")
{
    return TradeStat.Benchmarks.Feed.CheckpointCost.Budget(args[1..]);
}

if (args.Length > 0 && args[0] == "checkpoint-load")
{
    return TradeStat.Benchmarks.Feed.CheckpointCost.Load(args[1..]);
}

if (args.Length > 0 && args[0] == "checkpoint-throughput")
{
    return await TradeStat.Benchmarks.Feed.CheckpointCost.Throughput(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(InProcessConfig).Assembly).Run(args);
return 0;
