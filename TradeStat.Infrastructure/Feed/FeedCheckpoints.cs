using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using TradeStat.Infrastructure.Interop;

namespace TradeStat.Infrastructure.Feed;

/// <summary>Where the feed's checkpoints stand.</summary>
internal enum CheckpointState
{
    /// <summary>No data directory: the statistics live in memory only.</summary>
    Off,

    /// <summary>Not restored yet: nothing is written, so a checkpoint not yet read is never overwritten.</summary>
    Pending,

    /// <summary>Restored (or there was none): checkpoints are written.</summary>
    Ready,

    /// <summary>The checkpoint could not be read (damaged, or another format version): the feed does not run and the file is left as it is.</summary>
    Refused,
}

/// <summary>
/// The feed's checkpoint file (<c>Binance:DataDirectory</c>/feed.ckpt): restored once at start, then written whole and
/// atomically — a new file, flushed to the device, renamed over the old one, the directory flushed — so that a crash at
/// any moment leaves either the old checkpoint or the new one, never a torn one (a damaged file is refused by its
/// checksum all the same).
/// </summary>
internal sealed class FeedCheckpoints(BinanceOptions options, FeedBook book, FeedMetrics metrics, TimeProvider time,
    ILogger<FeedCheckpoints> logger)
{
    /// <summary>The checkpoint's file name inside the data directory.</summary>
    public const string FileName = "feed.ckpt";

    private readonly Lock _writing = new();
    private volatile CheckpointState _state = string.IsNullOrEmpty(options.DataDirectory) ? CheckpointState.Off : CheckpointState.Pending;
    private long _failingSince = long.MinValue;

    /// <summary>The checkpoint's path, or null when no data directory is configured.</summary>
    public string? FilePath => string.IsNullOrEmpty(options.DataDirectory) ? null : Path.GetFullPath(Path.Combine(options.DataDirectory, FileName));

    /// <summary>True when a checkpoint file is there.</summary>
    public bool Exists => FilePath is { } path && File.Exists(path);

    /// <summary>Where the checkpoints stand.</summary>
    public CheckpointState State => _state;

    /// <summary>Since when writes have been failing (UTC), or null while the last one succeeded.</summary>
    public DateTimeOffset? FailingSince
    {
        get
        {
            var since = Interlocked.Read(ref _failingSince);
            return since == long.MinValue ? null : DateTimeOffset.FromUnixTimeMilliseconds(since);
        }
    }

    /// <summary>The last error of a checkpoint read or write, for readiness.</summary>
    public string? LastError { get; private set; }

    /// <summary>
    /// Loads the checkpoint, if any, into the book. False when it exists but cannot be read: the caller must not run
    /// the feed (and nothing will overwrite the file).
    /// </summary>
    public bool TryRestore()
    {
        if (FilePath is not { } path)
        {
            return true;
        }

        try
        {
            if (!File.Exists(path))
            {
                logger.LogInformation("No feed checkpoint at {Path}: the statistics start from zero", path);
                _state = CheckpointState.Ready;
                return true;
            }

            var started = time.GetTimestamp();

            // Each record becomes its symbol as soon as it is read, so loading holds the rebuilt medians and one record,
            // never the whole file; the book gets them only once every record proved sound.
            var states = new List<FeedSymbol>();
            var newest = 0L;
            DateTimeOffset created;
            using (var file = FeedCheckpoint.OpenForReading(path))
            {
                created = FeedCheckpoint.Read(file, path, state =>
                {
                    newest = Math.Max(newest, state.LastTime);
                    states.Add(FeedSymbol.Restore(state, options.MaxDistinctPricesPerSymbol, options.MaxHeldTradesPerSymbol));
                });
            }

            // Followed but without a trade when the checkpoint was written: its trades since then are fetched too.
            var anchor = AnchorTime(newest, created);
            foreach (var state in states)
            {
                state.Anchor(anchor);
            }

            book.Restore(states);
            _state = CheckpointState.Ready;
            logger.LogInformation("Feed checkpoint {Path} of {Created:u} restored: {Symbols} symbols in {Elapsed}; trades since then are back-filled",
                path, created, states.Count, time.GetElapsedTime(started));
            return true;
        }
        catch (Exception e)
        {
            _state = CheckpointState.Refused;
            LastError = e.Message;
            logger.LogError(e, "The feed checkpoint cannot be read, so the feed does not start and the file is left as it is: {Error}. " +
                "Move the file away to start the statistics from zero.", e.Message);
            return false;
        }
    }

    /// <summary>
    /// Where a restored symbol without trades starts counting (ms, the exchange's clock): shortly before the newest trade
    /// time in the checkpoint, since the symbols were captured one after another while trades flowed; before any trade
    /// was checkpointed, shortly before the checkpoint's own time (this machine's clock, so the margin also covers a
    /// clock a little off the exchange's).
    /// </summary>
    internal static long AnchorTime(long newestTradeTime, DateTimeOffset created)
    {
        // The checkpoint's time is taken before its first symbol is captured, so it bounds every capture even when a
        // large write takes longer than the margin.
        var createdTime = created.ToUnixTimeMilliseconds();
        var basis = newestTradeTime > 0 ? Math.Min(newestTradeTime, createdTime) : createdTime;
        return Math.Max(1, basis - (long)AnchorMargin.TotalMilliseconds);
    }

    /// <summary>How far before the checkpoint's newest trade a restored symbol without trades starts counting.</summary>
    internal static readonly TimeSpan AnchorMargin = TimeSpan.FromSeconds(5);

    /// <summary>Writes a checkpoint of every state now (atomically); false when it failed (logged, counted, retried next time).</summary>
    public bool Save()
    {
        if (_state != CheckpointState.Ready || FilePath is not { } path)
        {
            return false;
        }

        lock (_writing)
        {
            var temp = path + ".tmp";
            var started = Stopwatch.GetTimestamp();
            try
            {
                var directory = Path.GetDirectoryName(path)!;
                Directory.CreateDirectory(directory);
                long bytes;
                using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
                {
                    bytes = FeedCheckpoint.Write(file, book.Universe.States, time.GetUtcNow());
                    file.Flush(flushToDisk: true);
                }

                File.Move(temp, path, overwrite: true);
                FlushDirectory(directory);
                metrics.CheckpointWritten(bytes, Stopwatch.GetElapsedTime(started), time.GetUtcNow());
                if (Interlocked.Exchange(ref _failingSince, long.MinValue) != long.MinValue)
                {
                    logger.LogInformation("Feed checkpoint written again to {Path}", path);
                }

                LastError = null;
                return true;
            }
            catch (Exception e)
            {
                // Whatever the cause (disk, permissions, a state that cannot be written), the feed goes on in memory.
                metrics.CheckpointFailed();
                LastError = e.Message;
                Interlocked.CompareExchange(ref _failingSince, time.GetUtcNow().ToUnixTimeMilliseconds(), long.MinValue);
                logger.LogError("Feed checkpoint could not be written to {Path}: {Error}. The feed goes on in memory and tries again.", path, e.Message);
                TryDelete(temp);
                return false;
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only or full directory: nothing more to do; the next write replaces it.
        }
    }

    // The rename is durable only once the directory entry is: fsync the directory itself (POSIX; Windows has no
    // equivalent and orders metadata itself).
    private static void FlushDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = Libc.Open(directory, 0);
        if (fd < 0)
        {
            throw new IOException($"Cannot open {directory} to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            // Some filesystems (network and FUSE mounts) cannot flush a directory (EINVAL, EBADF): the rename is as
            // durable as they make it.
            if (Libc.Fsync(fd) != 0 && Marshal.GetLastPInvokeError() is not (Libc.EINVAL or Libc.EBADF))
            {
                throw new IOException($"Cannot flush {directory} (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Libc.Close(fd);
        }
    }
}
