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

    /// <summary>
    /// Parsing threads; 0 (the default) picks them for the input: as many as processors for a file, one fewer (at
    /// least one) for a stream, whose reading thread needs a processor of its own (the pipe's writer needs one too:
    /// on two processors one parser beside the reader finishes sooner, on less CPU, than two that take turns).
    /// </summary>
    public int Threads { get; init; }

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

    /// <summary>
    /// Chunks per segment of a stream. With one parsing thread no other thread waits for the next segment, so the
    /// reader need not buffer a whole segment ahead and a segment can be as large as a file's largest: a merge (and a
    /// first trade) per symbol every <see cref="MaxFileSegmentBytes"/> instead of every <see cref="SegmentSize"/>.
    /// </summary>
    internal int StreamSegmentChunks => SingleStreamParser
        ? (int)Math.Min(int.MaxValue, Math.Max(SegmentChunks, MaxFileSegmentBytes / ChunkSize))
        : SegmentChunks;

    /// <summary>
    /// Whether a stream read with these options has one parsing thread reading long segments (with
    /// <see cref="SkipInvalid"/> a segment stays one chunk, kept for a re-parse).
    /// </summary>
    internal bool SingleStreamParser => Threads == 1 && !SkipInvalid;

    /// <summary>These options with <see cref="Threads"/> decided for a file or a <paramref name="stream"/> when it is 0.</summary>
    internal CsvReadOptions ForInput(bool stream) => Threads > 0
        ? this
        : this with { Threads = stream ? Math.Max(1, Environment.ProcessorCount - 1) : Environment.ProcessorCount };

    /// <summary>Largest segment of a file: a segment is merged, and the progress moves, only once it is done.</summary>
    internal const long MaxFileSegmentBytes = 256L << 20;

    /// <summary>
    /// Chunks in the next segment of a file with <paramref name="chunksLeft"/> chunks not yet taken. A file's
    /// segments shrink towards its end: each takes a 1/(2·threads) share of what is left, at least
    /// <see cref="SegmentChunks"/> and at most <see cref="MaxFileSegmentBytes"/>, so a large file needs few
    /// per-symbol merges and the threads still finish together. (A stream's segments hold their chunks' buffers, so
    /// they keep <see cref="SegmentChunks"/>; with <see cref="SkipInvalid"/> a segment is one chunk.)
    /// </summary>
    internal long FileSegmentChunks(long chunksLeft)
    {
        if (SkipInvalid)
        {
            return 1;
        }

        var perSegment = SegmentChunks;
        var largest = Math.Max(perSegment, MaxFileSegmentBytes / ChunkSize);
        return Math.Clamp(chunksLeft / (2L * Math.Max(1, Threads)), perSegment, largest);
    }

    /// <summary>Longest line, in bytes, that a chunk edge keeps whole.</summary>
    public int MaxLineLength { get; init; } = DefaultMaxLineLength;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Threads);
        ArgumentOutOfRangeException.ThrowIfLessThan(ChunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(SegmentSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxLineLength, 8);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ChunkSize, 1 << 28);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxLineLength, 1 << 20);
    }
}
