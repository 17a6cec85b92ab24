namespace TradeStat.Infrastructure.Batch;

/// <summary>Live counters of a read in progress, for a progress line; updated as chunks are merged.</summary>
public sealed class CsvProgress
{
    private long _bytes;
    private long _lines;

    /// <summary>Bytes merged so far.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Lines merged so far.</summary>
    public long Lines => Volatile.Read(ref _lines);

    internal void Set(long bytes, long lines)
    {
        Volatile.Write(ref _bytes, bytes);
        Volatile.Write(ref _lines, lines);
    }
}
