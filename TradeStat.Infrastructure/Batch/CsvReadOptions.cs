namespace TradeStat.Infrastructure.Batch;

/// <summary>How <see cref="TradeCsvReader{TMetrics}"/> reads: invalid-line policy, parallelism, chunk sizes.</summary>
public sealed record CsvReadOptions
{
    /// <summary>Default bytes per chunk: big enough to amortise the per-chunk merge, small enough for constant memory.</summary>
    public const int DefaultChunkSize = 2 << 20;

    /// <summary>Longest line kept whole at a chunk edge; longer lines are invalid anyway (a valid line is under 100 bytes).</summary>
    public const int DefaultMaxLineLength = 4096;

    /// <summary>Count invalid lines and go on, instead of stopping at the first one.</summary>
    public bool SkipInvalid { get; init; }

    /// <summary>Parsing threads (for stdin, one more thread reads).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Bytes per chunk. Tests use tiny values to put chunk edges everywhere.</summary>
    public int ChunkSize { get; init; } = DefaultChunkSize;

    /// <summary>Longest line, in bytes, that a chunk edge keeps whole.</summary>
    public int MaxLineLength { get; init; } = DefaultMaxLineLength;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ChunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxLineLength, 8);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ChunkSize, 1 << 28);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxLineLength, 1 << 20);
    }
}
