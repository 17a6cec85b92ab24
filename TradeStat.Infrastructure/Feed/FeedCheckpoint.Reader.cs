using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace TradeStat.Infrastructure.Feed;

internal static partial class FeedCheckpoint
{
    /// <summary>
    /// Verifies and decodes a checkpoint from a seekable stream in two passes: the checksum over every byte first, then
    /// the records one at a time through a pooled window, each checked value by value before it is handed over. Memory is
    /// the window plus the one record being decoded, whatever the size of the checkpoint, and positions are 64-bit, so a
    /// checkpoint is bounded by the disk, not by memory or by the largest array.
    /// </summary>
    private sealed class Reader : IDisposable
    {
        // A varint of a 64-bit value takes at most 10 bytes.
        private const int MaxVarintBytes = 10;

        private readonly Stream _data;
        private readonly string _source;
        private byte[]? _window = ArrayPool<byte>.Shared.Rent(ReadWindowBytes);
        private long _windowStart;
        private int _at;
        private int _filled;
        private long _end;
        private long _record;
        private long _recordStart;

        public Reader(Stream data, string source)
        {
            _data = data;
            _source = source;
        }

        private byte[] Window => _window ?? throw new ObjectDisposedException(nameof(Reader));

        /// <summary>The stream offset of the next byte to decode.</summary>
        private long Position => _windowStart + _at;

        public void Dispose()
        {
            if (_window is { } window)
            {
                _window = null;
                ArrayPool<byte>.Shared.Return(window);
            }
        }

        /// <summary>Checks the whole checkpoint, then hands every record to <paramref name="each"/> in file order.</summary>
        public DateTimeOffset ReadAll(Action<SymbolState> each)
        {
            var length = _data.Length;
            if (length == 0)
            {
                throw Damaged("it is empty");
            }

            Span<byte> header = stackalloc byte[HeaderBytes];
            _data.Position = 0;
            var headerBytes = (int)Math.Min(length, HeaderBytes);
            _data.ReadExactly(header[..headerBytes]);
            var magicBytes = Math.Min(headerBytes, Magic.Length);
            if (!header[..magicBytes].SequenceEqual(Magic[..magicBytes]))
            {
                throw new FeedCheckpointException($"checkpoint {_source} is not a feed checkpoint: it does not start with \"TSFEEDCK\"");
            }

            if (length < Magic.Length + sizeof(int))
            {
                throw Damaged($"truncated to {length} bytes, inside the header");
            }

            // The version comes before the checksum: another version's layout (its trailer included) is unknown here.
            var version = BinaryPrimitives.ReadInt32LittleEndian(header[Magic.Length..]);
            if (version != Version)
            {
                throw new FeedCheckpointException($"checkpoint {_source} is version {version}; this build reads version {Version}", version);
            }

            if (length < HeaderBytes + TrailerBytes)
            {
                throw Damaged($"truncated to {length} bytes, shorter than a header and a trailer");
            }

            _end = length - TrailerBytes;
            var (stored, computed) = Checksums();
            if (stored != computed)
            {
                throw Damaged($"its checksum is {stored:x16} but its bytes give {computed:x16} (torn, truncated, changed, or followed by other bytes)");
            }

            var count = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
            var ticks = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
            if (count < 0 || count > (_end - HeaderBytes) / MinRecordBytes)
            {
                throw Damaged($"{count} symbols cannot fit in {_end - HeaderBytes} bytes of records");
            }

            if (ticks < 0 || ticks > DateTimeOffset.MaxValue.UtcTicks)
            {
                throw Damaged($"creation time {ticks} ticks is out of range");
            }

            _data.Position = HeaderBytes;
            _windowStart = HeaderBytes;
            _at = _filled = 0;
            var names = new HashSet<string>(count, StringComparer.Ordinal);
            for (_record = 0; _record < count; _record++)
            {
                _recordStart = Position;
                var state = ReadRecord();
                if (!names.Add(state.Symbol))
                {
                    throw InRecord($"symbol {state.Symbol} is listed twice");
                }

                each(state);
            }

            if (Position != _end)
            {
                throw Damaged($"{_end - Position} bytes follow the last record");
            }

            return new DateTimeOffset(ticks, TimeSpan.Zero);
        }

        // The stored checksum and the one of every byte before it.
        private (ulong Stored, ulong Computed) Checksums()
        {
            var crc = new Crc64();
            var window = Window;
            _data.Position = 0;
            for (var left = _end; left > 0;)
            {
                var read = _data.Read(window, 0, (int)Math.Min(window.Length, left));
                if (read == 0)
                {
                    throw Damaged("it became shorter while being read");
                }

                crc.Append(window.AsSpan(0, read));
                left -= read;
            }

            Span<byte> trailer = stackalloc byte[TrailerBytes];
            _data.ReadExactly(trailer);
            return (BinaryPrimitives.ReadUInt64LittleEndian(trailer), crc.GetCurrentHashAsUInt64());
        }

        private SymbolState ReadRecord()
        {
            var nameBytes = ReadVarint();
            if (nameBytes is 0 or > TradeMessageParser.MaxSymbolBytes)
            {
                throw InRecord($"symbol name of {nameBytes} bytes (1 to {TradeMessageParser.MaxSymbolBytes})");
            }

            string name;
            try
            {
                name = StrictUtf8.GetString(Take((int)nameBytes));
            }
            catch (DecoderFallbackException)
            {
                throw InRecord("symbol name is not valid UTF-8");
            }

            var count = ReadInt64("count");
            var lastPrice = ReadInt64("last price");
            var lastTradeIdPlusOne = ReadVarint();
            if (lastTradeIdPlusOne > (ulong)long.MaxValue + 1)
            {
                throw InRecord($"last trade id + 1 = {lastTradeIdPlusOne} is out of range");
            }

            var lastTradeId = unchecked((long)(lastTradeIdPlusOne - 1));
            var lastTime = ReadInt64("last time");
            var missed = ReadInt64("missed count");
            int significantDigits = Take(1)[0];
            var maxRelativeError = BinaryPrimitives.ReadDoubleLittleEndian(Take(sizeof(double)));

            // Each level takes at least two bytes: a larger count is refused before its arrays are allocated.
            var levels = ReadVarint();
            if (levels > (ulong)(_end - Position) / 2)
            {
                throw InRecord($"{levels} levels cannot fit in the {_end - Position} bytes left");
            }

            if (levels > int.MaxValue)
            {
                throw InRecord($"{levels} levels, more than a median holds");
            }

            var prices = new long[levels];
            var counts = new long[levels];
            long price = 0;
            for (var i = 0; i < prices.Length; i++)
            {
                var delta = ReadVarint();
                if (i > 0 && delta == 0)
                {
                    throw InRecord($"level {i}: price {price} repeats the previous level's (levels must ascend)");
                }

                if (delta > (ulong)(long.MaxValue - price))
                {
                    throw InRecord($"level {i}: price beyond {long.MaxValue}");
                }

                price += (long)delta;
                prices[i] = price;
                counts[i] = ReadInt64("level count");
            }

            var state = new SymbolState(name, count, lastPrice, lastTradeId, lastTime, missed, significantDigits, maxRelativeError,
                prices, counts);
            var problem = state.FindProblem();
            return problem is null ? state : throw InRecord($"{name}: {problem}");
        }

        // At most a window's bytes: names and fixed-size fields only.
        private ReadOnlySpan<byte> Take(int bytes)
        {
            if (_filled - _at < bytes && !Fill(bytes))
            {
                throw InRecord("it ends before the record does");
            }

            var taken = Window.AsSpan(_at, bytes);
            _at += bytes;
            return taken;
        }

        // Moves the undecoded bytes to the window's start and reads after them, up to the trailer; false when fewer
        // than `bytes` are then available.
        private bool Fill(int bytes)
        {
            var window = Window;
            var kept = _filled - _at;
            window.AsSpan(_at, kept).CopyTo(window);
            _windowStart += _at;
            _at = 0;
            _filled = kept;
            var left = _end - (_windowStart + _filled);
            while (_filled < window.Length && left > 0)
            {
                var read = _data.Read(window, _filled, (int)Math.Min(window.Length - _filled, left));
                if (read == 0)
                {
                    throw Damaged("it became shorter while being read");
                }

                _filled += read;
                left -= read;
            }

            return _filled >= bytes;
        }

        private long ReadInt64(string what)
        {
            var value = ReadVarint();
            return value <= long.MaxValue ? (long)value : throw InRecord($"{what} {value} is beyond {long.MaxValue}");
        }

        // Unsigned LEB128 in its shortest form: a value has exactly one encoding, so any other bytes are damage. Two
        // varints per level make this the loop of a load: a whole value in the window is decoded on locals, and
        // anything unusual (the window's end, a value not in its shortest form, the tenth byte) goes the careful way.
        private ulong ReadVarint()
        {
            var window = Window;
            var at = _at;
            if (_filled - at >= MaxVarintBytes)
            {
                ulong value = 0;
                for (var shift = 0; shift < 63; shift += 7)
                {
                    var b = window[at++];
                    value |= (ulong)(b & 0x7F) << shift;
                    if (b < 0x80)
                    {
                        if (b == 0 && shift > 0)
                        {
                            break;
                        }

                        _at = at;
                        return value;
                    }
                }
            }

            return ReadVarintCarefully();
        }

        private ulong ReadVarintCarefully()
        {
            if (_filled - _at < MaxVarintBytes)
            {
                Fill(MaxVarintBytes);
            }

            var window = Window;
            ulong value = 0;
            for (var shift = 0; ; shift += 7)
            {
                if (_at >= _filled)
                {
                    throw InRecord("it ends inside a value");
                }

                var b = window[_at++];
                if (shift == 63 && b > 1)
                {
                    throw InRecord($"a value beyond 64 bits at byte {Position - 1}");
                }

                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return b == 0 && shift > 0 ? throw InRecord($"a value not in its shortest form at byte {Position - 1}") : value;
                }
            }
        }

        private FeedCheckpointException Damaged(string what) => new($"checkpoint {_source} is damaged: {what}");

        private FeedCheckpointException InRecord(string what) =>
            Damaged($"record {_record} (at byte {_recordStart}): {what}");
    }
}
