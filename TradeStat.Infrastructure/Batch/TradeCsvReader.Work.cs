using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TradeStat.Domain.Batch;

namespace TradeStat.Infrastructure.Batch;

public sealed partial class TradeCsvReader<TMetrics>
    where TMetrics : struct, ITradeMetric<TMetrics>
{
    /// <summary>One chunk in flight: its bytes, the region of whole lines to parse and what parsing produced.</summary>
    private sealed unsafe class Work(int bufferSize)
    {
        /// <summary>The chunk's bytes (native, huge-page advised); reused from chunk to chunk.</summary>
        public readonly ChunkMemory Memory = new(bufferSize);

        public readonly CsvChunk<TMetrics> Chunk = new();
        public long Index;
        public int Start;
        public int End;
        public bool TooLongTail; // the region is followed by (the start of) a line longer than MaxLineLength
        public long Bytes;

        /// <summary>The chunk's bytes.</summary>
        public Span<byte> Buffer => Memory.Span;

        /// <summary>Where <see cref="Start"/> and <see cref="End"/> count from (the buffer never moves).</summary>
        public byte* Data => Memory.Data;
    }

    /// <summary>
    /// Consecutive chunks that one thread parses in order into one aggregation; segments are merged in input order.
    /// </summary>
    private sealed class Segment
    {
        /// <summary>The segment's counters so far and its aggregation.</summary>
        public readonly CsvChunk<TMetrics> Totals = new();
        public long Index;
        public long Bytes;

        /// <summary>With skip-invalid (one chunk a segment): the chunk, kept until the merge for a possible re-parse.</summary>
        public Work? Kept;

        /// <summary>A stream's segment: the chunks the reader hands over, in input order.</summary>
        public BlockingCollection<Work>? Chunks;
    }
}
