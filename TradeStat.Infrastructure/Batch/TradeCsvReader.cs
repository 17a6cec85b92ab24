using System.Collections.Concurrent;
using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
/// (<see cref="CsvReadOptions.ChunkSize"/> each) and their partials, plus one state per symbol.
/// </remarks>
public sealed class TradeCsvReader<TMetrics>
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
        var run = new Run(_options, progress);
        run.ReadFile(handle, RandomAccess.GetLength(handle));
        return run.Finish();
    }

    /// <summary>Reads <paramref name="stream"/> to its end (or to the first invalid line), reading and parsing overlapped.</summary>
    public CsvAnalysis<TMetrics> ReadStream(Stream stream, CsvProgress? progress = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var run = new Run(_options, progress);
        run.ReadStream(stream);
        return run.Finish();
    }

    /// <summary>One chunk in flight: its bytes, the region of whole lines to parse and what parsing produced.</summary>
    private sealed unsafe class Work(int bufferSize)
    {
        private byte[]? _buffer;

        /// <summary>Pinned, allocated on first use (mapped file chunks never need it).</summary>
        public byte[] Buffer => _buffer ??= GC.AllocateUninitializedArray<byte>(bufferSize, pinned: true);

        /// <summary>Where <see cref="Start"/> and <see cref="End"/> point: <see cref="Buffer"/> or a mapped view.</summary>
        public byte* Data;

        /// <summary>The mapped view of a file chunk, kept until the chunk is merged (a re-parse may need it).</summary>
        public MemoryMappedViewAccessor? View;

        public readonly CsvChunk<TMetrics> Chunk = new();
        public long Index;
        public int Start;
        public int End;
        public bool TooLongTail; // the region is followed by (the start of) a line longer than MaxLineLength
        public long Bytes;

        public byte* BufferPointer() => (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Buffer));

        public void ReleaseView()
        {
            if (View is not null)
            {
                View.SafeMemoryMappedViewHandle.ReleasePointer();
                View.Dispose();
                View = null;
            }
        }
    }

    private sealed class Run
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

        // Chunk i owns the lines that start in [i·size, (i+1)·size); it reads one byte before (to see whether a
        // line starts there) and up to MaxLineLength after (to finish its last line).
        private unsafe void ReadFileChunk(SafeFileHandle handle, MemoryMappedFile? mapped, long length, Work work)
        {
            var begin = work.Index * _options.ChunkSize;
            var end = Math.Min(begin + _options.ChunkSize, length);
            var readFrom = begin == 0 ? 0 : begin - 1;
            var readTo = Math.Min(length, end + _options.MaxLineLength);
            var count = (int)(readTo - readFrom);
            Span<byte> buffer;
            if (mapped is not null && readTo + TradeLineParser.Padding <= length)
            {
                var view = mapped.CreateViewAccessor(readFrom, readTo + TradeLineParser.Padding - readFrom, MemoryMappedFileAccess.Read);
                byte* pointer = null;
                view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
                work.View = view;
                work.Data = pointer + view.PointerOffset;
                buffer = new Span<byte>(work.Data, count);
            }
            else
            {
                buffer = work.Buffer;
                work.Data = work.BufferPointer();
                var filled = 0;
                while (filled < count)
                {
                    var read = RandomAccess.Read(handle, buffer.Slice(filled, count - filled), readFrom + filled);
                    if (read == 0)
                    {
                        count = filled; // the file shrank while we read it
                        break;
                    }

                    filled += read;
                }
            }

            work.Bytes = end - begin;
            var ownEnd = (int)Math.Min(end - readFrom, count);
            var start = 0;
            if (begin != 0)
            {
                var newline = buffer[..ownEnd].IndexOf((byte)'\n');
                if (newline < 0 || newline + 1 >= ownEnd)
                {
                    return; // no line starts in this chunk
                }

                start = newline + 1;
            }

            work.Start = start;
            var terminator = buffer.Slice(ownEnd - 1, count - (ownEnd - 1)).IndexOf((byte)'\n');
            if (terminator >= 0)
            {
                work.End = ownEnd + terminator;
            }
            else if (readFrom + count == length)
            {
                work.Buffer[count] = (byte)'\n'; // the last line of the file has no line feed (never a mapped chunk)
                work.End = count + 1;
            }
            else
            {
                work.End = buffer[start..ownEnd].LastIndexOf((byte)'\n') + 1 + start;
                work.TooLongTail = true;
            }
        }

        private void ProduceStreamChunks(Stream stream, BlockingCollection<Work> queue)
        {
            var capacity = _options.ChunkSize + _options.MaxLineLength;
            var carry = new byte[capacity];
            var carried = 0;
            var discarding = false; // inside a line too long to keep: drop bytes up to its '\n'
            long index = 0;
            var eof = false;
            while (!eof && !_stopped)
            {
                _slots.Wait();
                if (_stopped)
                {
                    _slots.Release();
                    return;
                }

                var work = Rent(index);
                var buffer = work.Buffer;
                unsafe
                {
                    work.Data = work.BufferPointer();
                }
                carry.AsSpan(0, carried).CopyTo(buffer);
                var filled = carried;
                carried = 0;
                while (filled < capacity)
                {
                    var read = stream.Read(buffer, filled, capacity - filled);
                    if (read == 0)
                    {
                        eof = true;
                        break;
                    }

                    filled += read;
                    work.Bytes += read;
                }

                var start = 0;
                if (discarding)
                {
                    var newline = buffer.AsSpan(0, filled).IndexOf((byte)'\n');
                    if (newline < 0)
                    {
                        start = filled;
                    }
                    else
                    {
                        start = newline + 1;
                        discarding = false;
                    }
                }

                work.Start = start;
                if (eof)
                {
                    work.End = filled;
                    if (filled > start && buffer[filled - 1] != '\n')
                    {
                        buffer[filled] = (byte)'\n';
                        work.End = filled + 1;
                    }
                }
                else if (!discarding)
                {
                    var last = buffer.AsSpan(start, filled - start).LastIndexOf((byte)'\n');
                    work.End = last < 0 ? start : start + last + 1;
                    var tail = filled - work.End;
                    if (tail > _options.MaxLineLength)
                    {
                        work.TooLongTail = true;
                        discarding = true;
                    }
                    else
                    {
                        buffer.AsSpan(work.End, tail).CopyTo(carry);
                        carried = tail;
                    }
                }
                else
                {
                    work.End = start;
                }

                index++;
                queue.Add(work);
            }
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
