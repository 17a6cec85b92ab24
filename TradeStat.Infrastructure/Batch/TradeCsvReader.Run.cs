using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;
using TradeStat.Domain.Batch;

namespace TradeStat.Infrastructure.Batch;

public sealed partial class TradeCsvReader<TMetrics>
    where TMetrics : struct, ITradeMetric<TMetrics>
{
    /// <summary>One read: the parsing threads, the pool of chunks in flight and the merge in input order.</summary>
    private sealed partial class Run
    {
        private readonly CsvReadOptions _options;
        private readonly CsvProgress? _progress;
        private readonly SymbolTable _symbols = new();
        private readonly CsvChunk<TMetrics> _total = new();
        private readonly ConcurrentBag<Work> _free = [];
        private readonly ConcurrentBag<Segment> _freeSegments = [];
        private readonly SemaphoreSlim _slots; // segments in flight (each holds an aggregation until merged)
        private readonly SemaphoreSlim _buffers; // a stream's chunk buffers in flight
        private readonly Lock _mergeLock = new();
        private readonly Dictionary<long, Segment> _pending = [];
        private readonly int _bufferSize;
        private long _nextMerge;
        private long _bytes;
        private InputError? _error;
        private InputError? _firstInvalid;
        private Exception? _failure;
        private volatile bool _stopped;
        private volatile bool _inputEnds; // a segment stopped at an invalid line: nothing after it is needed
        private readonly bool _singleStreamParser; // one thread parses a stream, in segments of many chunks

        public Run(CsvReadOptions options, CsvProgress? progress, bool stream)
        {
            _options = options;
            _progress = progress;
            _slots = new SemaphoreSlim(options.Threads + 2);
            // A chunk's buffer is free once parsed (kept until the merge with skip-invalid: then one per segment).
            // The reader fills a segment's chunks before the next segment's, so the other threads get work while
            // one is behind only if a whole segment, and a chunk for each of them, can be in flight; more would
            // only add resident memory. A stream's single parser only needs the chunk it parses, the one being
            // read and one ready between them (and one to spare for an uneven pipe).
            _singleStreamParser = stream && options.SingleStreamParser;
            var segmentChunks = options.SegmentChunks;
            _buffers = new SemaphoreSlim(
                _singleStreamParser ? options.Threads + 3
                : segmentChunks == 1 ? options.Threads + 2
                : segmentChunks + options.Threads);
            // chunk + the line that crosses its end + the byte before it + a '\n' added at EOF + padding
            _bufferSize = options.ChunkSize + options.MaxLineLength + 2 + TradeLineParser.Padding;
        }

        // The bytes [start, end) of the file: chunk offsets count from start.
        public void ReadFile(SafeFileHandle handle, long start, long end)
        {
            var length = end - start;
            // Each chunk is copied out of the page cache into a reused buffer: a mapped view would save the copy, but
            // a parser reading freshly mapped page-cache pages runs at half the speed (see docs/batch.md).
            var chunkSize = (long)_options.ChunkSize;
            var chunks = (length + chunkSize - 1) / chunkSize;
            var cursor = new Lock();
            long nextChunk = 0;
            long nextIndex = 0;
            RunThreads(_options.Threads, () =>
            {
                while (!_stopped)
                {
                    _slots.Wait();
                    long first, end, index;
                    lock (cursor)
                    {
                        first = nextChunk;
                        end = Math.Min(chunks, first + _options.FileSegmentChunks(chunks - first));
                        nextChunk = end;
                        index = nextIndex++;
                    }

                    if (first >= chunks || _stopped)
                    {
                        _slots.Release();
                        return;
                    }

                    var segment = RentSegment(index);
                    for (var chunk = first; chunk < end && !segment.Totals.Stopped && !_stopped; chunk++)
                    {
                        _buffers.Wait(); // never waits here (a thread holds one chunk at a time); keeps Release's count even
                        var work = Rent(chunk);
                        ReadFileChunk(handle, start, length, work);
                        Parse(segment, work);
                    }

                    Complete(segment);
                }
            });
        }

        public void ReadStream(Stream stream)
        {
            using var queue = new BlockingCollection<Segment>();
            var reader = new Thread(() =>
            {
                try
                {
                    ProduceStreamChunks(stream, queue);
                }
                catch (Exception e)
                {
                    Fail(e);
                }
                finally
                {
                    queue.CompleteAdding();
                }
            }) { IsBackground = true, Name = "csv-reader" };
            reader.Start();
            RunThreads(_options.Threads, () =>
            {
                foreach (var segment in queue.GetConsumingEnumerable())
                {
                    foreach (var work in segment.Chunks!.GetConsumingEnumerable())
                    {
                        if (!_stopped && !segment.Totals.Stopped)
                        {
                            Parse(segment, work);
                        }
                        else
                        {
                            Release(work);
                        }
                    }

                    Complete(segment);
                }
            });
            reader.Join();
        }

        public CsvAnalysis<TMetrics> Finish()
        {
            if (_failure is not null)
            {
                throw new IOException($"Reading the input failed: {_failure.Message}", _failure);
            }

            return new CsvAnalysis<TMetrics>(_symbols, _total.Trades)
            {
                Bytes = _bytes,
                Lines = _total.Lines,
                TradeCount = _total.Accepted,
                InvalidLines = _total.InvalidLines,
                FirstInvalid = _firstInvalid,
                Error = _error,
            };
        }

        /// <summary>
        /// Frees the chunk buffers and the segments' letter states now (what a failed read did not give back is freed by
        /// its finalizer). The total's aggregation stays: the analysis returns it.
        /// </summary>
        public void FreeBuffers()
        {
            while (_free.TryTake(out var work))
            {
                work.Memory.Dispose();
            }

            while (_freeSegments.TryTake(out var segment))
            {
                segment.Totals.Trades.Release();
            }
        }

        private void RunThreads(int count, Action body)
        {
            var threads = new Thread[count];
            for (var i = 0; i < count; i++)
            {
                threads[i] = new Thread(() =>
                {
                    try
                    {
                        body();
                    }
                    catch (Exception e)
                    {
                        Fail(e);
                    }
                }) { IsBackground = true, Name = $"csv-parser-{i}" };
                threads[i].Start();
            }

            foreach (var thread in threads)
            {
                thread.Join();
            }
        }

        private void Fail(Exception e)
        {
            lock (_mergeLock)
            {
                _failure ??= e;
                _stopped = true;
            }

            WakeWaiters();
        }

        // After a stop: anyone waiting for a slot or a buffer wakes up and sees it.
        private void WakeWaiters()
        {
            _slots.Release(_options.Threads + 2);
            _buffers.Release(_options.Threads + 2);
        }

        private Work Rent(long index)
        {
            var work = _free.TryTake(out var free) ? free : new Work(_bufferSize);
            work.Index = index;
            work.Start = 0;
            work.End = 0;
            work.TooLongTail = false;
            work.Bytes = 0;
            work.Chunk.Reset();
            return work;
        }

        // A chunk whose bytes are no longer needed: its buffer back to the pool.
        private void Release(Work work)
        {
            _free.Add(work);
            _buffers.Release();
        }

        private Segment RentSegment(long index)
        {
            var segment = _freeSegments.TryTake(out var free) ? free : new Segment();
            segment.Index = index;
            segment.Bytes = 0;
            segment.Totals.Reset();
            segment.Totals.Trades.Clear();
            return segment;
        }

        // The next chunk of the segment, parsed into its aggregation; then its buffer is released, or kept for a
        // re-parse with skip-invalid.
        private void Parse(Segment segment, Work work)
        {
            ParseInto(segment, work);
            segment.Bytes += work.Bytes;
            if (segment.Totals.Stopped)
            {
                _inputEnds = true; // the read ends at this segment's invalid line: the reader can stop
            }
            else if (_singleStreamParser)
            {
                // The segments are long: the progress moves with every chunk, not only at a merge. The one parsing
                // thread is also the one that merges, so the totals are its own to read.
                _progress?.Set(_bytes + segment.Bytes, _total.Lines + segment.Totals.Lines);
            }

            if (_options.SkipInvalid)
            {
                segment.Kept = work;
            }
            else
            {
                Release(work);
            }
        }

        private unsafe void ParseInto(Segment segment, Work work)
        {
            var chunk = work.Chunk;
            chunk.Trades = segment.Totals.Trades;
            chunk.Reset(segment.Totals.LastTimestamp);
            if (work.End > work.Start)
            {
                TradeLineParser.Parse(work.Data + work.Start, work.Data + work.End, chunk, _symbols, _options.SkipInvalid);
            }

            if (work.TooLongTail && !chunk.Stopped)
            {
                chunk.Lines++;
                chunk.Reject($"line is longer than {_options.MaxLineLength} bytes", _options.SkipInvalid);
            }

            segment.Totals.Append(chunk);
        }

        // Segments finish in any order; they are merged in input order, each as soon as all before it are.
        private void Complete(Segment segment)
        {
            lock (_mergeLock)
            {
                _pending[segment.Index] = segment;
                while (_pending.Remove(_nextMerge, out var next))
                {
                    if (!_stopped)
                    {
                        Merge(next);
                    }

                    if (next.Kept is { } kept)
                    {
                        next.Kept = null;
                        Release(kept);
                    }

                    next.Chunks?.Dispose();
                    next.Chunks = null;
                    _freeSegments.Add(next);
                    _nextMerge++;
                    _slots.Release();
                }
            }
        }

        private void Merge(Segment segment)
        {
            var chunk = segment.Totals;
            var total = _total;
            if (chunk.Accepted > 0 && total.Accepted > 0 && chunk.FirstTimestamp < total.LastTimestamp)
            {
                if (!_options.SkipInvalid)
                {
                    Stop(new InputError(
                        total.Lines + chunk.FirstTimestampLine,
                        $"timestamp {chunk.FirstTimestamp} is before the previous trade's {total.LastTimestamp} (timestamps must not decrease)"));
                    return;
                }

                // The segment (one chunk with skip-invalid) was parsed without knowing the timestamp before it:
                // parse it again, now knowing it.
                chunk.Reset(total.LastTimestamp);
                chunk.Trades.Clear();
                ParseInto(segment, segment.Kept!);
            }

            if (chunk.FirstInvalidReason is not null)
            {
                var invalid = new InputError(total.Lines + chunk.FirstInvalidLine, chunk.FirstInvalidReason);
                if (chunk.Stopped)
                {
                    Stop(invalid);
                    return;
                }

                _firstInvalid ??= invalid;
            }

            if (_symbols.LetterKeysClosed)
            {
                // Letter states parsed before the keys closed join the id slots on both sides.
                total.Trades.MoveLettersToIds(_symbols);
                chunk.Trades.MoveLettersToIds(_symbols);
            }

            total.Trades.MergeFrom(chunk.Trades);
            total.Lines += chunk.Lines;
            total.InvalidLines += chunk.InvalidLines;
            if (chunk.Accepted > 0)
            {
                total.LastTimestamp = chunk.LastTimestamp;
                total.Accepted += chunk.Accepted;
            }

            _bytes += segment.Bytes;
            _progress?.Set(_bytes, total.Lines);
        }

        private void Stop(InputError error)
        {
            _error = error;
            _stopped = true;
            _total.Lines = error.Line;
            WakeWaiters();
        }
    }
}
