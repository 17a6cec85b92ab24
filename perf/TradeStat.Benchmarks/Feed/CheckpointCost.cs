using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Logging.Abstractions;
using TradeStat.Infrastructure.Feed;

namespace TradeStat.Benchmarks.Feed;

/// <summary>
/// <c>checkpoint SYMBOLS LEVELS [LEVELS...]</c>: the cost of the feed's checkpoint through the service's own path
/// (<see cref="FeedCheckpoints"/>: write, flush to the device, rename, flush the directory; then read and restore) for
/// SYMBOLS symbols of LEVELS distinct prices each (two trades per price), three writes and three loads each.
/// <c>checkpoint-throughput SYMBOLS LEVELS SECONDS [ROUNDS]</c>: messages/s through the live pipeline on one thread,
/// with the checkpoint loop of the service running beside it (default interval and duty) and without, alternated (the
/// first side changing every round, after a warm-up of up to a minute) for ROUNDS rounds (3 by default) of SECONDS per
/// side, reporting for the "on" side the rate while a checkpoint is written and while it rests. With <c>shared</c>, the SYMBOLS symbols share one median of LEVELS
/// levels, so that a state larger than memory (every symbol at the exact budget) is written as it would be.
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

    /// <summary>
    /// <c>checkpoint-budget SYMBOLS LEVELS [DIRECTORY]</c>: a checkpoint of SYMBOLS symbols of LEVELS levels each, larger than this
    /// machine's memory could hold as live medians: every record is encoded by the service's writer from one median of
    /// LEVELS levels under another name, written, flushed to the device and renamed as a checkpoint is; then the file is
    /// read back through the service's verifying reader (checksum, every record and value), and the rebuild of one
    /// symbol's median from its record is timed on its own; last, the start-up's whole work (read, verify, rebuild every
    /// median) is timed with each median dropped once built. With DIRECTORY, the checkpoint is left there for
    /// <c>checkpoint-load</c>.
    /// </summary>
    public static int Budget(string[] args)
    {
        var symbols = int.Parse(args[0], CultureInfo.InvariantCulture);
        var levels = int.Parse(args[1], CultureInfo.InvariantCulture);
        var keep = args.Length > 2 ? Directory.CreateDirectory(args[2]) : null;
        var (template, median) = Template(levels);
        var directory = keep ?? Directory.CreateTempSubdirectory("tradestat-ckpt-budget-");
        try
        {
            var path = Path.Combine(directory.FullName, FeedCheckpoints.FileName);
            for (var round = 0; round < 2; round++)
            {
                var watch = Stopwatch.StartNew();
                long bytes;
                using (var file = new FileStream(path + ".tmp", FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
                {
                    using var writer = new FeedCheckpoint.Writer(file);
                    writer.WriteHeader(symbols, DateTimeOffset.UtcNow);
                    for (var s = 0; s < symbols; s++)
                    {
                        writer.WriteRecord($"S{s:D6}USDT", median, template.LastPrice, template.LastTradeId + s, template.LastTime, 0);
                        writer.FlushIfFull();
                    }

                    bytes = writer.Finish();
                    file.Flush(flushToDisk: true);
                }

                File.Move(path + ".tmp", path, overwrite: true);
                var writeMs = watch.Elapsed.TotalMilliseconds;

                watch.Restart();
                long read = 0;
                using (var file = FeedCheckpoint.OpenForReading(path))
                {
                    FeedCheckpoint.Read(file, path, state => read += state.Prices.Length);
                }

                var verifyMs = watch.Elapsed.TotalMilliseconds;
                if (read != (long)symbols * levels)
                {
                    throw new InvalidOperationException($"{read} levels read back, {(long)symbols * levels} written.");
                }

                watch.Restart();
                const int rebuilds = 5;
                for (var i = 0; i < rebuilds; i++)
                {
                    GC.KeepAlive(FeedSymbol.Restore(template, levels));
                }

                var rebuildMs = watch.Elapsed.TotalMilliseconds / rebuilds;
                Console.WriteLine(FormattableString.Invariant(
                    $"{symbols} symbols x {levels} levels: write {writeMs / 1e3:F1} s, {bytes / 1e9:F2} GB ({(double)bytes / symbols / levels:F2} B/level), read and verify {verifyMs / 1e3:F1} s, rebuild {rebuildMs:F0} ms per symbol ({rebuildMs * symbols / 1e3:F0} s and {(double)symbols * levels * 32 / 1e9:F0} GB of medians for all)"));
            }

            // The start-up's work on the whole file — read, verify, rebuild every median — with each median dropped once
            // built, for states whose medians together would not fit in memory.
            var restore = Stopwatch.StartNew();
            var restored = 0;
            using (var file = FeedCheckpoint.OpenForReading(path))
            {
                FeedCheckpoint.Read(file, path, state =>
                {
                    GC.KeepAlive(FeedSymbol.Restore(state, levels));
                    restored++;
                });
            }

            Console.WriteLine(FormattableString.Invariant(
                $"{restored} symbols read, verified and rebuilt one at a time (each dropped once built): {restore.Elapsed.TotalSeconds:F1} s"));
        }
        finally
        {
            if (keep is null)
            {
                directory.Delete(recursive: true);
            }
        }

        return 0;
    }

    /// <summary>
    /// <c>checkpoint-load DIRECTORY</c>: the service's start-up restore of DIRECTORY's checkpoint in a fresh process, with
    /// nothing else in memory: its time and the process's peak resident memory.
    /// </summary>
    public static int Load(string[] args)
    {
        var (checkpoints, book) = Create(args[0], null);
        var watch = Stopwatch.StartNew();
        if (!checkpoints.TryRestore())
        {
            throw new InvalidOperationException("The checkpoint could not be read.");
        }

        var elapsed = watch.Elapsed;
        var trades = 0L;
        foreach (var state in book.Universe.States)
        {
            trades += state.Snapshot().Count;
        }

        using var process = Process.GetCurrentProcess();
        Console.WriteLine(FormattableString.Invariant(
            $"load {elapsed.TotalSeconds:F1} s: {book.Universe.States.Count} symbols, {trades} trades, peak resident {process.PeakWorkingSet64 / 1e9:F2} GB"));
        return 0;
    }

    public static async Task<int> Throughput(string[] args)
    {
        var symbols = int.Parse(args[0], CultureInfo.InvariantCulture);
        var levels = int.Parse(args[1], CultureInfo.InvariantCulture);
        var seconds = double.Parse(args[2], CultureInfo.InvariantCulture);
        var rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3;
        var shared = args.Length > 4 && args[4] == "shared";
        var lines = FeedData.TradeLines(10);
        var ballast = shared ? BuildShared(symbols, levels) : Build(symbols, levels);
        var directory = Directory.CreateTempSubdirectory("tradestat-ckpt-bench-");
        try
        {
            // Round −1 is a warm-up without checkpoints, not reported as a side: the first window of a process runs
            // slower (tiering, the heap growing), which would otherwise weigh on whichever side comes first.
            for (var round = -1; round < rounds; round++)
            {
                var window = round < 0 ? Math.Min(seconds, 60) : seconds;

                // The side that runs first changes every round, so that what follows a round (the previous side's
                // garbage, the machine's drift) weighs on both sides alike.
                foreach (var on in round < 0 ? new[] { false } : round % 2 == 0 ? new[] { false, true } : new[] { true, false })
                {
                    // Each side starts without a checkpoint: restoring the previous side's would only leave its
                    // medians behind as garbage for this side's window (and, at the budget, not fit in memory).
                    File.Delete(Path.Combine(directory.FullName, FeedCheckpoints.FileName));
                    var (checkpoints, book) = Create(directory.FullName, ballast);
                    book.Replace(FeedData.Symbols());
                    var ingestor = new TradeIngestor(book, new FeedMetrics(), NullLogger<TradeIngestor>.Instance, new BinanceOptions(), TimeProvider.System);
                    using var stop = new CancellationTokenSource();
                    var writes = 0;
                    var clock = Stopwatch.StartNew();
                    var writing = new List<(double From, double To)>();
                    var writer = on
                        ? Task.Run(async () =>
                        {
                            var options = new BinanceOptions();
                            while (!stop.IsCancellationRequested)
                            {
                                var watch = Stopwatch.StartNew();
                                var from = clock.Elapsed.TotalSeconds;
                                checkpoints.Save();
                                lock (writing)
                                {
                                    writing.Add((from, clock.Elapsed.TotalSeconds));
                                }

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
                    var samples = new List<(double At, long Messages)> { (0, 0) };
                    while (clock.Elapsed.TotalSeconds < window)
                    {
                        foreach (var line in lines)
                        {
                            ingestor.Process(line, out _, out _);
                            if ((++messages & 0xFFFF) == 0)
                            {
                                samples.Add((clock.Elapsed.TotalSeconds, messages));
                            }
                        }

                        // Fresh live statistics for the next pass (the same trades again would all be duplicates).
                        ingestor = new TradeIngestor(Reset(book, ballast), new FeedMetrics(), NullLogger<TradeIngestor>.Instance, new BinanceOptions(), TimeProvider.System);
                    }

                    var elapsed = clock.Elapsed.TotalSeconds;
                    samples.Add((elapsed, messages));
                    var rate = messages / elapsed;
                    await Stop(stop, writer);
                    var (writeSeconds, writeMessages) = During(samples, writing);
                    var restSeconds = elapsed - writeSeconds;
                    Console.WriteLine(FormattableString.Invariant(
                        $"{(round < 0 ? "warm-up" : $"round {round}")} checkpoints {(on ? "on " : "off")}: {rate / 1e6:F2} M messages/s over {elapsed:F0} s ({writes} checkpoints of {symbols} x {levels} levels + the live symbols)"));
                    if (on && writeSeconds > 0)
                    {
                        Console.WriteLine(FormattableString.Invariant(
                            $"    writing {writeSeconds:F1} s at {writeMessages / writeSeconds / 1e6:F2} M messages/s, resting {restSeconds:F1} s at {(messages - writeMessages) / restSeconds / 1e6:F2} M messages/s"));
                    }
                }
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }

        return 0;
    }

    // The time inside the writes and the messages counted in it, from the samples (each interval between two samples
    // is split in proportion to its overlap with a write).
    private static (double Seconds, double Messages) During(List<(double At, long Messages)> samples, List<(double From, double To)> writes)
    {
        double seconds = 0, messages = 0;
        lock (writes)
        {
            foreach (var (from, until) in writes)
            {
                // A write still running when the side ended counts up to the end.
                var to = Math.Min(until, samples[^1].At);
                seconds += Math.Max(0, to - from);
                for (var i = 1; i < samples.Count; i++)
                {
                    var (start, before) = samples[i - 1];
                    var (end, after) = samples[i];
                    var overlap = Math.Min(end, to) - Math.Max(start, from);
                    if (overlap > 0 && end > start)
                    {
                        messages += (after - before) * overlap / (end - start);
                    }
                }
            }
        }

        return (seconds, messages);
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

    // Symbols that share one median: the checkpoint only reads medians, and the pipeline's own symbols are separate, so
    // the writes are those of SYMBOLS full medians in the memory of one. The constructor that takes a median is the one
    // Restore uses.
    private static FeedSymbol[] BuildShared(int symbols, int levels)
    {
        var (_, median) = Template(levels);
        var constructor = typeof(FeedSymbol).GetConstructor(BindingFlags.NonPublic | BindingFlags.Instance, [typeof(string), typeof(StreamingMedian), typeof(int)])
            ?? throw new InvalidOperationException("FeedSymbol has no constructor that takes a median.");
        var states = new FeedSymbol[symbols];
        for (var s = 0; s < symbols; s++)
        {
            states[s] = (FeedSymbol)constructor.Invoke([$"S{s:D6}USDT", median, 10_000]);
        }

        return states;
    }

    // One symbol's state of LEVELS levels and a median rebuilt from it, to stand for every symbol of a large state.
    private static (SymbolState State, StreamingMedian Median) Template(int levels)
    {
        var state = Build(1, levels)[0].Capture();
        return (state, StreamingMedian.FromLevels(state.Prices, state.Counts, state.SignificantDigits, state.MaxRelativeError, levels));
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
