using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;

namespace TradeStat.Infrastructure.Feed;

internal static partial class FeedCheckpoint
{
    /// <summary>
    /// Encodes a checkpoint into a pooled buffer and hands it to the stream between records, hashing what it hands
    /// over. The buffer grows only when one record does not fit, so its size is bounded by the flush threshold plus the
    /// largest record, not by the number of symbols. Used by <see cref="Write"/> through
    /// <see cref="FeedSymbol.WriteState"/>.
    /// </summary>
    internal sealed class Writer : IDisposable
    {
        // A varint of a 64-bit value takes at most 10 bytes; a level is two of them.
        private const int MaxVarintBytes = 10;

        /// <summary>Buffered bytes at which the buffer goes to the stream, between records.</summary>
        internal const int FlushThreshold = 64 * 1024;

        private readonly Stream _destination;
        private readonly Crc64 _crc = new();
        private byte[]? _buffer;
        private int _used;
        private long _written;

        /// <summary>Creates a writer onto <paramref name="destination"/>; nothing is written until the first flush.</summary>
        internal Writer(Stream destination)
        {
            _destination = destination;
            _buffer = ArrayPool<byte>.Shared.Rent(2 * FlushThreshold);
        }

        private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(Writer));

        /// <summary>Magic, version, symbol count and creation time.</summary>
        internal void WriteHeader(int symbols, DateTimeOffset created)
        {
            Ensure(HeaderBytes);
            var header = Buffer.AsSpan(_used, HeaderBytes);
            Magic.CopyTo(header);
            BinaryPrimitives.WriteInt32LittleEndian(header[8..], Version);
            BinaryPrimitives.WriteInt32LittleEndian(header[12..], symbols);
            BinaryPrimitives.WriteInt64LittleEndian(header[16..], created.UtcTicks);
            _used += HeaderBytes;
        }

        /// <summary>
        /// One symbol's record; the caller holds the symbol's lock and has checked the name
        /// (<see cref="FindSymbolNameProblem"/>). O(d).
        /// </summary>
        /// <exception cref="InvalidOperationException">The state holds a value a checkpoint cannot: writing it would
        /// produce a checkpoint that is refused on reading.</exception>
        internal void WriteRecord(string symbol, StreamingMedian median, long lastPrice, long lastTradeId, long lastTime, long missed)
        {
            var nameBytes = StrictUtf8.GetByteCount(symbol);
            Ensure(nameBytes + (7 * MaxVarintBytes) + 1 + sizeof(double));
            WriteVarint((uint)nameBytes);
            _used += StrictUtf8.GetBytes(symbol, Buffer.AsSpan(_used));
            WriteVarint(NotNegative(median.Count, symbol, "count"));
            WriteVarint(NotNegative(lastPrice, symbol, "last price"));

            // −1 (nothing counted yet) becomes 0, so the id needs no sign.
            WriteVarint(NotNegative(lastTradeId + 1, symbol, "last trade id + 1"));
            WriteVarint(NotNegative(lastTime, symbol, "last time"));
            WriteVarint(NotNegative(missed, symbol, "missed count"));
            Buffer[_used++] = (byte)median.SignificantDigits;
            BinaryPrimitives.WriteDoubleLittleEndian(Buffer.AsSpan(_used), median.MaxRelativeError);
            _used += sizeof(double);
            WriteVarint((uint)median.Distinct);

            var encoder = new LevelEncoder(this);
            median.VisitLevels(ref encoder);
            if (encoder.Levels != median.Distinct || encoder.Total != median.Count)
            {
                throw new InvalidOperationException(
                    $"{symbol}: {encoder.Levels} levels holding {encoder.Total} prices, but {median.Distinct} levels and a count of {median.Count}.");
            }
        }

        /// <summary>Hands the buffer to the stream once it holds the flush threshold; called between records.</summary>
        internal void FlushIfFull()
        {
            if (_used >= FlushThreshold)
            {
                Flush();
            }
        }

        /// <summary>Writes what is buffered and the trailer, flushes the stream; returns the bytes written in all.</summary>
        internal long Finish()
        {
            Flush();
            Span<byte> trailer = stackalloc byte[TrailerBytes];
            BinaryPrimitives.WriteUInt64LittleEndian(trailer, _crc.GetCurrentHashAsUInt64());
            _destination.Write(trailer);
            _destination.Flush();
            _written += TrailerBytes;
            return _written;
        }

        /// <summary>Returns the buffer to the pool.</summary>
        public void Dispose()
        {
            if (_buffer is { } buffer)
            {
                _buffer = null;
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        private static ulong NotNegative(long value, string symbol, string what) =>
            value >= 0 ? (ulong)value : throw new InvalidOperationException($"{symbol}: {what} {value} is negative.");

        private void Flush()
        {
            if (_used == 0)
            {
                return;
            }

            var bytes = Buffer.AsSpan(0, _used);
            _crc.Append(bytes);
            _destination.Write(bytes);
            _written += _used;
            _used = 0;
        }

        private void Ensure(int bytes)
        {
            if (Buffer.Length - _used < bytes)
            {
                Grow(bytes);
            }
        }

        // Only while a record larger than the buffer is encoded: the record must stay whole until the lock is released.
        private void Grow(int bytes)
        {
            var size = Math.Min(Array.MaxLength, Math.Max(2L * Buffer.Length, (long)_used + bytes));
            if (size - _used < bytes)
            {
                throw new InvalidOperationException("A checkpoint record does not fit in the largest array.");
            }

            var larger = ArrayPool<byte>.Shared.Rent((int)size);
            Buffer.AsSpan(0, _used).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(Buffer);
            _buffer = larger;
        }

        // Unsigned LEB128: 7 bits a byte, low bits first, the high bit set on every byte but the last.
        private void WriteVarint(ulong value)
        {
            var buffer = Buffer;
            var at = _used;
            while (value >= 0x80)
            {
                buffer[at++] = (byte)(value | 0x80);
                value >>= 7;
            }

            buffer[at++] = (byte)value;
            _used = at;
        }

        /// <summary>Writes the levels as (price − previous price, count) varint pairs, checking they ascend.</summary>
        private struct LevelEncoder(Writer writer) : StreamingMedian.ILevelVisitor
        {
            private long _previous;

            public long Levels { get; private set; }

            public long Total { get; private set; }

            public void Level(long price, long count)
            {
                // The first level's delta is from 0, so it needs a price ≥ 0; every later one must be strictly above.
                if (price < _previous || (Levels > 0 && price == _previous) || count < 1)
                {
                    throw new InvalidOperationException($"Level {Levels}: price {price} after {_previous}, count {count}.");
                }

                writer.Ensure(2 * MaxVarintBytes);
                writer.WriteVarint((ulong)(price - _previous));
                writer.WriteVarint((ulong)count);
                _previous = price;
                Levels++;
                Total += count;
            }
        }
    }
}
