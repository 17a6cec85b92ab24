using System.Collections.Concurrent;
using System.IO.MemoryMappedFiles;
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
        private readonly SemaphoreSlim _slots;
        private readonly Lock _mergeLock = new();
        private readonly Dictionary<long, Work> _pending = [];
        private readonly int _bufferSize;
        private long _nextMerge;
        private long _bytes;
        private InputError? _error;
        private InputError? _firstInvalid;
        private Exception? _failure;
        private volatile bool _stopped;

        public Run(CsvReadOptions options, CsvProgress? progress)
        {
            _options = options;
            _progress = progress;
            _slots = new SemaphoreSlim(options.Threads + 2);
            // chunk + the line that crosses its end + the byte before it + a '\n' added at EOF + padding
            _bufferSize = options.ChunkSize + options.MaxLineLength + 2 + TradeLineParser.Padding;
        }

        public void ReadFile(SafeFileHandle handle, long length)
        {
            // Chunks are read through short-lived mapped views (no copy out of the page cache; only the views in
            // flight are resident); the chunks at the very end of the file, where the parser's look-ahead would
            // pass the end of the mapping, are copied into a buffer instead.
            using var mapped = length > 0
                ? MemoryMappedFile.CreateFromFile(handle, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true)
                : null;
            var chunkSize = (long)_options.ChunkSize;
            var chunks = (length + chunkSize - 1) / chunkSize;
            long next = 0;
            RunThreads(_options.Threads, () =>
            {
                while (!_stopped)
                {
                    _slots.Wait();
                    var index = Interlocked.Increment(ref next) - 1;
                    if (index >= chunks || _stopped)
                    {
                        _slots.Release();
                        return;
                    }

                    var work = Rent(index);
                    ReadFileChunk(handle, mapped, length, work);
                    Parse(work);
                    Complete(work);
                }
            });
        }

        public void ReadStream(Stream stream)
        {
            using var queue = new BlockingCollection<Work>();
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
                foreach (var work in queue.GetConsumingEnumerable())
                {
                    if (!_stopped)
                    {
                        Parse(work);
                    }

                    Complete(work);
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

            _slots.Release(_options.Threads + 2); // wake anyone waiting for a slot so they can see the stop
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


        private unsafe void Parse(Work work)
        {
            var chunk = work.Chunk;
            if (work.End > work.Start)
            {
                TradeLineParser.Parse(work.Data + work.Start, work.Data + work.End, chunk, _symbols, _options.SkipInvalid);
            }

            if (work.TooLongTail && !chunk.Stopped)
            {
                chunk.Lines++;
                chunk.Reject($"line is longer than {_options.MaxLineLength} bytes", _options.SkipInvalid);
            }
        }

        // Chunks finish in any order; they are merged in input order, each as soon as all before it are.
        private void Complete(Work work)
        {
            lock (_mergeLock)
            {
                _pending[work.Index] = work;
                while (_pending.Remove(_nextMerge, out var next))
                {
                    if (!_stopped)
                    {
                        Merge(next);
                    }

                    next.ReleaseView();
                    _free.Add(next);
                    _nextMerge++;
                    _slots.Release();
                }
            }
        }

        private void Merge(Work work)
        {
            var chunk = work.Chunk;
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

                // The chunk was parsed without knowing the timestamp before it: parse it again, now knowing it.
                chunk.Reset(total.LastTimestamp);
                Parse(work);
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

            total.Trades.MergeFrom(chunk.Trades);
            total.Lines += chunk.Lines;
            total.InvalidLines += chunk.InvalidLines;
            if (chunk.Accepted > 0)
            {
                total.LastTimestamp = chunk.LastTimestamp;
                total.Accepted += chunk.Accepted;
            }

            _bytes += work.Bytes;
            _progress?.Set(_bytes, total.Lines);
        }

        private void Stop(InputError error)
        {
            _error = error;
            _stopped = true;
            _total.Lines = error.Line;
            _slots.Release(_options.Threads + 2);
        }
    }
}
