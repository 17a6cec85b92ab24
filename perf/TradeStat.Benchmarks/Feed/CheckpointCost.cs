using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using TradeStat.Infrastructure.Feed;

namespace TradeStat.Benchmarks.Feed;

/// <summary>
/// <c>checkpoint SYMBOLS LEVELS [LEVELS...]</c>: the cost of the feed's checkpoint through the service's own path
/// (<see cref="FeedCheckpoints"/>: write, flush to the device, rename, flush the directory; then read and restore) for
/// SYMBOLS symbols of LEVELS distinct prices each (two trades per price), three writes and three loads each.
/// <c>checkpoint-throughput SYMBOLS LEVELS SECONDS</c>: messages/s through the live pipeline on one thread, with the
/// checkpoint loop of the service running beside it (default interval and duty) and without, alternated.
/// </summary>
internal static class CheckpointCost
{
    public static int Run(string[] args)
    {
        var symbols = int.Parse(args[0], CultureInfo.InvariantCulture);
        foreach (var levels in args[1..].Select(a => int.Parse(a, CultureInfo.InvariantCulture)))
        {
            var states = Build(symbols, levels);
            var directory = Directory.CreateTempSubdirectory("tradestat-ckpt-bench-");
            try
            {
                var (checkpoints, _) = Create(directory.FullName, states);
                var metrics = new List<(double WriteMs, long Bytes, double LoadMs)>();
                for (var round = 0; round < 3; round++)
                {
                    var watch = Stopwatch.StartNew();
                    if (!checkpoints.Save())
                    {
                        throw new InvalidOperationException("The checkpoint could not be written.");
                    }

                    var writeMs = watch.Elapsed.TotalMilliseconds;
                    var bytes = new FileInfo(checkpoints.FilePath!).Length;
                    var (loader, book) = Create(directory.FullName, null);
                    watch.Restart();
                    if (!loader.TryRestore())
                    {
                        throw new InvalidOperationException("The checkpoint could not be read.");
                    }

                    var loadMs = watch.Elapsed.TotalMilliseconds;
                    if (book.Universe.States.Count != symbols)
                    {
                        throw new InvalidOperationException("Not every symbol was restored.");
                    }

                    metrics.Add((writeMs, bytes, loadMs));
                    GC.Collect();
                }

                foreach (var (writeMs, bytes, loadMs) in metrics)
                {
                    Console.WriteLine(FormattableString.Invariant(
                        $"{symbols} symbols x {levels} levels: write {writeMs:F0} ms, {bytes / 1e6:F1} MB ({(double)bytes / symbols / levels:F2} B/level), load {loadMs:F0} ms"));
                }
            }
            finally
            {
                directory.Delete(recursive: true);
            }
        }

        return 0;
    }

    public static async Task<int> Throughput(string[] args)
    {
        var symbols = int.Parse(args[0], CultureInfo.InvariantCulture);
        var levels = int.Parse(args[1], CultureInfo.InvariantCulture);
        var seconds = double.Parse(args[2], CultureInfo.InvariantCulture);
        var lines = FeedData.TradeLines(10);
        var ballast = Build(symbols, levels);
        var directory = Directory.CreateTempSubdirectory("tradestat-ckpt-bench-");
        try
        {
            for (var round = 0; round < 3; round++)
            {
                foreach (var on in new[] { false, true })
                {
                    var (checkpoints, book) = Create(directory.FullName, ballast);
                    book.Replace(FeedData.Symbols());
                    var ingestor = new TradeIngestor(book, new FeedMetrics(), NullLogger<TradeIngestor>.Instance, new BinanceOptions(), TimeProvider.System);
                    using var stop = new CancellationTokenSource();
                    var writes = 0;
                    var writer = on
                        ? Task.Run(async () =>
                        {
                            var options = new BinanceOptions();
                            while (!stop.IsCancellationRequested)
                            {
                                var watch = Stopwatch.StartNew();
                                checkpoints.Save();
                                writes++;
                                try
                                {
                                    await Task.Delay(FeedCheckpointService.NextWait(watch.Elapsed, options), stop.Token);
                                }
                                catch (OperationCanceledException)
                                {
                                    break;
                                }
                            }
                        })
                        : Task.CompletedTask;

                    long messages = 0;
                    var clock = Stopwatch.StartNew();
                    while (clock.Elapsed.TotalSeconds < seconds)
                    {
                        foreach (var line in lines)
                        {
                            ingestor.Process(line, out _, out _);
                            messages++;
                        }

                        // Fresh live statistics for the next pass (the same trades again would all be duplicates).
                        ingestor = new TradeIngestor(Reset(book, ballast), new FeedMetrics(), NullLogger<TradeIngestor>.Instance, new BinanceOptions(), TimeProvider.System);
                    }

                    var rate = messages / clock.Elapsed.TotalSeconds;
                    await Stop(stop, writer);
                    Console.WriteLine(FormattableString.Invariant(
                        $"round {round} checkpoints {(on ? "on " : "off")}: {rate / 1e6:F2} M messages/s ({writes} checkpoints of {symbols} x {levels} levels + the live symbols)"));
                }
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }

        return 0;
    }

    private static async Task Stop(CancellationTokenSource stop, Task writer)
    {
        await stop.CancelAsync();
        await writer;
    }

    // A new book of the ballast and fresh live symbols (the checkpoint keeps writing the same files).
    private static FeedBook Reset(FeedBook book, FeedSymbol[] ballast)
    {
        book.Restore(ballast);
        book.Replace(FeedData.Symbols());
        return book;
    }

    private static (FeedCheckpoints, FeedBook) Create(string directory, FeedSymbol[]? states)
    {
        var options = new BinanceOptions { DataDirectory = directory };
        var book = new FeedBook(new FeedBookOptions());
        var checkpoints = new FeedCheckpoints(options, book, new FeedMetrics(), TimeProvider.System, NullLogger<FeedCheckpoints>.Instance);
        if (states is not null)
        {
            // A fresh directory has no checkpoint: TryRestore only arms writing.
            checkpoints.TryRestore();
            book.Restore(states);
        }

        return (checkpoints, book);
    }

    private static FeedSymbol[] Build(int symbols, int levels)
    {
        var states = new FeedSymbol[symbols];
        Parallel.For(0, symbols, s =>
        {
            var state = new FeedSymbol($"S{s:D6}USDT", 1_000_000);
            var id = 0L;
            for (var i = 0; i < levels; i++)
            {
                // Prices on a 0.01 grid in a random order of levels, twice each: realistic deltas, every level distinct.
                var price = 2_000_000_000L + ((i * 7_919L) % levels * 1_000_000L);
                state.Apply(id++, price);
                state.Apply(id++, price);
            }

            states[s] = state;
        });
        return states;
    }
}
