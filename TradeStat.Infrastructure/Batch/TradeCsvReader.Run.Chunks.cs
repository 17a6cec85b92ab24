using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;
using TradeStat.Domain.Batch;

namespace TradeStat.Infrastructure.Batch;

public sealed partial class TradeCsvReader<TMetrics>
    where TMetrics : struct, ITradeMetric<TMetrics>
{
    // Cutting the input into chunks of whole lines: file chunks through positional reads, stream chunks through one
    // reader thread that carries each chunk's unfinished last line over to the next.
    private sealed partial class Run
    {
        // Chunk i owns the lines that start in [i·size, (i+1)·size) of the length bytes from fileStart; it reads one
        // byte before (to see whether a line starts there) and up to MaxLineLength after (to finish its last line).
        private void ReadFileChunk(SafeFileHandle handle, long fileStart, long length, Work work)
        {
            var begin = work.Index * _options.ChunkSize;
            var end = Math.Min(begin + _options.ChunkSize, length);
            var readFrom = begin == 0 ? 0 : begin - 1;
            var readTo = Math.Min(length, end + _options.MaxLineLength);
            var count = (int)(readTo - readFrom);
            var buffer = work.Buffer;
            var filled = 0;
            while (filled < count)
            {
                var read = RandomAccess.Read(handle, buffer.Slice(filled, count - filled), fileStart + readFrom + filled);
                if (read == 0)
                {
                    count = filled; // the file shrank while we read it
                    break;
                }

                filled += read;
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
                buffer[count] = (byte)'\n'; // the last line of the file has no line feed
                work.End = count + 1;
            }
            else
            {
                work.End = buffer[start..ownEnd].LastIndexOf((byte)'\n') + 1 + start;
                work.TooLongTail = true;
            }
        }

        // Segments of SegmentChunks chunks, queued as soon as they start so that a thread takes each while it is
        // still being read.
        private void ProduceStreamChunks(Stream stream, BlockingCollection<Segment> segments)
        {
            var capacity = _options.ChunkSize + _options.MaxLineLength;
            var carry = new byte[capacity];
            var carried = 0;
            var discarding = false; // inside a line too long to keep: drop bytes up to its '\n'
            var perSegment = _options.StreamSegmentChunks;
            Segment? segment = null;
            var inSegment = 0;
            long segmentIndex = 0;
            long index = 0;
            var eof = false;
            try
            {
                while (!eof && !_stopped && !_inputEnds)
                {
                    if (segment is null)
                    {
                        _slots.Wait();
                        if (_stopped)
                        {
                            _slots.Release();
                            return;
                        }

                        segment = RentSegment(segmentIndex++);
                        segment.Chunks = new BlockingCollection<Work>();
                        segments.Add(segment);
                        inSegment = 0;
                    }

                    _buffers.Wait();
                    if (_stopped)
                    {
                        _buffers.Release();
                        return;
                    }

                    var work = Rent(index);
                    var buffer = work.Buffer;
                    carry.AsSpan(0, carried).CopyTo(buffer);
                    var filled = carried;
                    carried = 0;
                    while (filled < capacity)
                    {
                        var read = stream.Read(buffer[filled..capacity]);
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
                        var newline = buffer[..filled].IndexOf((byte)'\n');
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
                        var last = buffer[start..filled].LastIndexOf((byte)'\n');
                        work.End = last < 0 ? start : start + last + 1;
                        var tail = filled - work.End;
                        if (tail > _options.MaxLineLength)
                        {
                            work.TooLongTail = true;
                            discarding = true;
                        }
                        else
                        {
                            buffer.Slice(work.End, tail).CopyTo(carry);
                            carried = tail;
                        }
                    }
                    else
                    {
                        work.End = start;
                    }

                    index++;
                    segment.Chunks!.Add(work);
                    if (++inSegment == perSegment)
                    {
                        segment.Chunks.CompleteAdding();
                        segment = null;
                    }
                }
            }
            finally
            {
                segment?.Chunks!.CompleteAdding();
            }
        }
    }
}
