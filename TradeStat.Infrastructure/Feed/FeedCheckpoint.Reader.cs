using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace TradeStat.Infrastructure.Feed;

internal static partial class FeedCheckpoint
{
    /// <summary>
    /// Verifies and decodes a whole checkpoint held in memory. The checksum is checked before any record is decoded;
    /// every value is then checked too, so a checkpoint written wrongly is refused like a damaged one. Allocates only the
    /// states it returns.
    /// </summary>
    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _data;
        private readonly string _source;
        private int _at;
        private int _end;
        private int _record;
        private int _recordStart;

        public Reader(ReadOnlySpan<byte> data, string source)
        {
            _data = data;
            _source = source;
        }

        public FeedCheckpointContents ReadAll()
        {
            if (_data.IsEmpty)
            {
                throw Damaged("it is empty");
            }

            var magicBytes = Math.Min(_data.Length, Magic.Length);
            if (!_data[..magicBytes].SequenceEqual(Magic[..magicBytes]))
            {
                throw new FeedCheckpointException($"checkpoint {_source} is not a feed checkpoint: it does not start with \"TSFEEDCK\"");
            }

            if (_data.Length < Magic.Length + sizeof(int))
            {
                throw Damaged($"truncated to {_data.Length} bytes, inside the header");
            }

            // The version comes before the checksum: another version's layout (its trailer included) is unknown here.
            var version = BinaryPrimitives.ReadInt32LittleEndian(_data[Magic.Length..]);
            if (version != Version)
            {
                throw new FeedCheckpointException($"checkpoint {_source} is version {version}; this build reads version {Version}", version);
            }

            if (_data.Length < HeaderBytes + TrailerBytes)
            {
                throw Damaged($"truncated to {_data.Length} bytes, shorter than a header and a trailer");
            }

            _end = _data.Length - TrailerBytes;
            var stored = BinaryPrimitives.ReadUInt64LittleEndian(_data[_end..]);
            var computed = Crc64.HashToUInt64(_data[.._end]);
            if (stored != computed)
            {
                throw Damaged($"its checksum is {stored:x16} but its bytes give {computed:x16} (torn, truncated, changed, or followed by other bytes)");
            }

            var count = BinaryPrimitives.ReadInt32LittleEndian(_data[12..]);
            var ticks = BinaryPrimitives.ReadInt64LittleEndian(_data[16..]);
            if (count < 0 || count > (_end - HeaderBytes) / MinRecordBytes)
            {
                throw Damaged($"{count} symbols cannot fit in {_end - HeaderBytes} bytes of records");
            }

            if (ticks < 0 || ticks > DateTimeOffset.MaxValue.UtcTicks)
            {
                throw Damaged($"creation time {ticks} ticks is out of range");
            }

            _at = HeaderBytes;
            var states = new SymbolState[count];
            var names = new HashSet<string>(count, StringComparer.Ordinal);
            for (_record = 0; _record < count; _record++)
            {
                _recordStart = _at;
                var state = ReadRecord();
                if (!names.Add(state.Symbol))
                {
                    throw InRecord($"symbol {state.Symbol} is listed twice");
                }

                states[_record] = state;
            }

            if (_at != _end)
            {
                throw Damaged($"{_end - _at} bytes follow the last record");
            }

            return new FeedCheckpointContents(new DateTimeOffset(ticks, TimeSpan.Zero), states);
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
            if (levels > (ulong)(_end - _at) / 2)
            {
                throw InRecord($"{levels} levels cannot fit in the {_end - _at} bytes left");
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

        private ReadOnlySpan<byte> Take(int bytes)
        {
            if (_end - _at < bytes)
            {
                throw InRecord("it ends before the record does");
            }

            var taken = _data.Slice(_at, bytes);
            _at += bytes;
            return taken;
        }

        private long ReadInt64(string what)
        {
            var value = ReadVarint();
            return value <= long.MaxValue ? (long)value : throw InRecord($"{what} {value} is beyond {long.MaxValue}");
        }

        // Unsigned LEB128 in its shortest form: a value has exactly one encoding, so any other bytes are damage.
        private ulong ReadVarint()
        {
            ulong value = 0;
            for (var shift = 0; ; shift += 7)
            {
                if (_at >= _end)
                {
                    throw InRecord("it ends inside a value");
                }

                var b = _data[_at++];
                if (shift == 63 && b > 1)
                {
                    throw InRecord($"a value beyond 64 bits at byte {_at - 1}");
                }

                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return b == 0 && shift > 0 ? throw InRecord($"a value not in its shortest form at byte {_at - 1}") : value;
                }
            }
        }

        private readonly FeedCheckpointException Damaged(string what) => new($"checkpoint {_source} is damaged: {what}");

        private readonly FeedCheckpointException InRecord(string what) =>
            Damaged($"record {_record} (at byte {_recordStart}): {what}");
    }
}
