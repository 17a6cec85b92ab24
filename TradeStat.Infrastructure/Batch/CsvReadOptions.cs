namespace TradeStat.Infrastructure.Batch;

/// <summary>How <see cref="TradeCsvReader{TMetrics}"/> reads: invalid-line policy, parallelism, chunk sizes.</summary>
public sealed record CsvReadOptions
{
    /// <summary>Default bytes per chunk: big enough to amortise the per-chunk merge, small enough for constant memory.</summary>
    public const int DefaultChunkSize = 2 << 20;

    /// <summary>
    /// Default bytes per segment: one parsing thread reads a segment's chunks in order into one aggregation, so the
    /// per-symbol states are merged once a segment, not once a chunk; with thousands of symbols a chunk touches
    /// nearly all of them, and a merge (and a first trade) per symbol and chunk would cost as much as the parsing.
    /// </summary>
    public const int DefaultSegmentSize = 16 << 20;

    /// <summary>Longest line kept whole at a chunk edge; longer lines are invalid anyway (a valid line is under 100 bytes).</summary>
    public const int DefaultMaxLineLength = 4096;

    /// <summary>Count invalid lines and go on, instead of stopping at the first one.</summary>
    public bool SkipInvalid { get; init; }

    /// <summary>Parsing threads (for stdin, one more thread reads).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Bytes per chunk. Tests use tiny values to put chunk edges everywhere.</summary>
    public int ChunkSize { get; init; } = DefaultChunkSize;

    /// <summary>
    /// Bytes per segment, a multiple of <see cref="ChunkSize"/> (rounded down, at least one chunk). With
    /// <see cref="SkipInvalid"/> a segment is one chunk: a segment whose first trade turns out to come before the
    /// previous one is parsed again, and only a single chunk is kept for that.
    /// </summary>
    public int SegmentSize { get; init; } = DefaultSegmentSize;

    /// <summary>Chunks per segment (see <see cref="SegmentSize"/>).</summary>
    internal int SegmentChunks => SkipInvalid ? 1 : Math.Max(1, SegmentSize / ChunkSize);

    /// <summary>Longest line, in bytes, that a chunk edge keeps whole.</summary>
    public int MaxLineLength { get; init; } = DefaultMaxLineLength;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ChunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(SegmentSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxLineLength, 8);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ChunkSize, 1 << 28);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxLineLength, 1 << 20);
    }
}
