using Microsoft.Win32.SafeHandles;
using TradeStat.Domain.Batch;

namespace TradeStat.Infrastructure.Batch;

/// <summary>
/// Reads a trade CSV into per-symbol metrics. A file is cut into chunks at line boundaries and parsed by
/// <see cref="CsvReadOptions.Threads"/> threads; a stream is read by one thread while the others parse the
/// chunks it hands over. Either way the chunk partials are merged strictly in input order, so gaps across chunk
/// edges, decreasing timestamps across them and global line numbers all come out as in a sequential read.
/// </summary>
/// <remarks>
/// Time O(bytes / threads). Memory O(1) in the input size: at most <c>threads + 2</c> chunk buffers
/// (<see cref="CsvReadOptions.ChunkSize"/> each) and their partials, plus one state per symbol. A read is a
/// <c>Run</c> (TradeCsvReader.Run.cs: threads and the ordered merge; TradeCsvReader.Run.Chunks.cs: cutting the input
/// into chunks) over <c>Work</c> items (TradeCsvReader.Work.cs).
/// </remarks>
public sealed partial class TradeCsvReader<TMetrics>
    where TMetrics : struct, ITradeMetric<TMetrics>
{
    private readonly CsvReadOptions _options;

    /// <summary>Creates a reader with <paramref name="options"/>.</summary>
    public TradeCsvReader(CsvReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>Reads the file at <paramref name="path"/> in parallel chunks.</summary>
    public CsvAnalysis<TMetrics> ReadFile(string path, CsvProgress? progress = null)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        return ReadFile(handle, 0, progress);
    }

    /// <summary>
    /// Reads the open regular file <paramref name="handle"/> from byte <paramref name="start"/> to its end in parallel
    /// chunks (positional reads: the handle's own position is neither used nor moved), e.g. a stdin redirected from a
    /// file, from where the shell left it.
    /// </summary>
    public CsvAnalysis<TMetrics> ReadFile(SafeFileHandle handle, long start, CsvProgress? progress = null)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var length = RandomAccess.GetLength(handle);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        return Complete(new Run(_options.ForInput(stream: false), progress, stream: false),
            run => run.ReadFile(handle, Math.Min(start, length), length));
    }

    /// <summary>Reads <paramref name="stream"/> to its end (or to the first invalid line), reading and parsing overlapped.</summary>
    public CsvAnalysis<TMetrics> ReadStream(Stream stream, CsvProgress? progress = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Complete(new Run(_options.ForInput(stream: true), progress, stream: true), run => run.ReadStream(stream));
    }

    // Reads with run, then gives its result; the chunk buffers are freed either way.
    private static CsvAnalysis<TMetrics> Complete(Run run, Action<Run> read)
    {
        try
        {
            read(run);
            return run.Finish();
        }
        finally
        {
            run.FreeBuffers();
        }
    }
}
