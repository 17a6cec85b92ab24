using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using TradeStat.Infrastructure.Feed;

namespace TradeStat.Tests.Unit.Infrastructure.Feed;

/// <summary>
/// The checkpoint format against the live structures: what is written and read back restores symbols whose answers,
/// now and for every later trade, are those of the originals; any damage is refused, never loaded in part.
/// </summary>
[TestFixture]
[Category("Unit")]
public sealed class FeedCheckpointTests
{
    public enum Shape
    {
        Empty,
        FewDistinct,
        RandomWalk,
        Wide,
        Decades,
    }

    private static readonly DateTimeOffset Created = new(2025, 3, 14, 15, 9, 26, TimeSpan.FromHours(2));

    [Test]
    public void Restored_symbols_answer_like_the_originals_now_and_after_every_later_trade([Range(1, 40)] int seed)
    {
        var random = new Random(seed);
        var originals = new List<(FeedSymbol Symbol, Shape Kind, int Budget, long NextId)>();
        var count = random.Next(1, 9);
        for (var i = 0; i < count; i++)
        {
            var kind = (Shape)random.Next(5);
            var budget = kind is Shape.Wide or Shape.Decades ? (random.Next(2) == 0 ? 16 : 200) : 1_000_000;
            var symbol = new FeedSymbol($"S{i}USDT", budget);
            var nextId = random.NextInt64(0, 1L << 40);
            nextId = Feed([symbol], kind, random, nextId, kind == Shape.Empty ? 0 : random.Next(1, 3_000));
            originals.Add((symbol, kind, budget, nextId));
        }

        var bytes = WriteToArray(originals.Select(o => o.Symbol));
        var contents = FeedCheckpoint.Read(bytes, "memory");

        contents.Created.Should().Be(Created);
        contents.Created.UtcTicks.Should().Be(Created.UtcTicks);
        contents.Symbols.Should().HaveCount(originals.Count);
        for (var i = 0; i < originals.Count; i++)
        {
            var (original, kind, budget, nextId) = originals[i];
            var read = contents.Symbols[i];
            read.Should().BeEquivalentTo(original.Capture(), o => o.ComparingByMembers<SymbolState>().WithStrictOrdering());
            var restored = FeedSymbol.Restore(read, budget);
            restored.Snapshot().Should().Be(original.Snapshot());
            restored.LastTradeId.Should().Be(original.LastTradeId);

            // The same later trades (gaps and give-ups included) to both: equal after every one.
            Feed([original, restored], kind, new Random((seed * 1_000) + i), nextId, 1_500);
            restored.Capture().Should().BeEquivalentTo(original.Capture(), o => o.ComparingByMembers<SymbolState>().WithStrictOrdering());
        }
    }

    [Test]
    public void Captured_levels_match_a_naive_count_of_the_prices([Range(1, 25)] int seed)
    {
        var random = new Random(seed);
        var symbol = new FeedSymbol("X", 1_000_000);
        var naive = new SortedDictionary<long, long>();
        var length = random.Next(0, 4_000);
        for (var id = 0; id < length; id++)
        {
            var price = seed % 2 == 0 ? random.Next(0, 50) * 1_000L : random.NextInt64(0, 1_000_000_000);
            symbol.Apply(id, price).Result.Should().Be(TradeResult.Applied);
            naive[price] = naive.GetValueOrDefault(price) + 1;
        }

        var state = symbol.Capture();
        state.Prices.Should().Equal(naive.Keys);
        state.Counts.Should().Equal(naive.Values);
        state.Count.Should().Be(length);
        state.FindProblem().Should().BeNull();
    }

    [Test]
    public void A_median_built_from_levels_matches_a_sorted_list_after_every_later_add(
        [Range(1, 30)] int seed, [Values(0, 1, 2, 5, 300)] int levels)
    {
        var random = new Random(seed);
        var prices = new long[levels];
        var counts = new long[levels];
        var naive = new List<long>();
        long price = random.Next(0, 3);
        for (var i = 0; i < levels; i++)
        {
            price += i == 0 ? 0 : random.Next(1, 1_000);
            prices[i] = price;
            counts[i] = random.Next(1, 6);
            for (var c = 0; c < counts[i]; c++)
            {
                naive.Add(price);
            }
        }

        var median = StreamingMedian.FromLevels(prices, counts, 19, 0, 1_000_000);
        median.Count.Should().Be(naive.Count);
        median.Distinct.Should().Be(levels);
        median.IsExact.Should().BeTrue();
        var copied = (Prices: new long[levels], Counts: new long[levels]);
        median.CopyLevels(copied.Prices, copied.Counts);
        copied.Prices.Should().Equal(prices);
        copied.Counts.Should().Equal(counts);
        if (naive.Count > 0)
        {
            median.MedianHalfUnits.Should().Be(naive[(naive.Count - 1) / 2] + naive[naive.Count / 2]);
        }

        for (var i = 0; i < 400; i++)
        {
            var added = random.Next(3) == 0 && levels > 0 ? prices[random.Next(levels)] : random.NextInt64(0, price + 2_000);
            median.Add(added);
            var index = naive.BinarySearch(added);
            naive.Insert(index < 0 ? ~index : index, added);
            var n = naive.Count;
            median.MedianHalfUnits.Should().Be(naive[(n - 1) / 2] + naive[n / 2], $"after {n} prices");
        }
    }

    [Test]
    public void A_median_built_from_a_merged_one_merges_later_exactly_like_it([Range(1, 20)] int seed, [Values(16, 200)] int budget)
    {
        var random = new Random(seed);
        var original = new StreamingMedian(budget);
        var length = random.Next(1, 5_000);
        for (var i = 0; i < length; i++)
        {
            original.Add(random.NextInt64(1, 10_000_000_000_000));
        }

        var prices = new long[original.Distinct];
        var counts = new long[original.Distinct];
        original.CopyLevels(prices, counts);
        var restored = StreamingMedian.FromLevels(prices, counts, original.SignificantDigits, original.MaxRelativeError, budget);
        for (var i = 0; i < 5_000; i++)
        {
            var price = i % 7 == 0 ? (long)Math.Pow(10, random.NextDouble() * 15) : random.NextInt64(1, 10_000_000_000_000);
            original.Add(price);
            restored.Add(price);
            (restored.MedianHalfUnits, restored.Count, restored.Distinct, restored.SignificantDigits, restored.MaxRelativeError)
                .Should().Be((original.MedianHalfUnits, original.Count, original.Distinct, original.SignificantDigits, original.MaxRelativeError));
        }
    }

    [Test]
    public void Levels_that_no_median_can_have_are_refused()
    {
        Build([2, 1], [1, 1]).Should().Throw<ArgumentException>().WithMessage("*not above*");
        Build([1, 1], [1, 1]).Should().Throw<ArgumentException>().WithMessage("*not above*");
        Build([-1], [1]).Should().Throw<ArgumentException>().WithMessage("*negative price*");
        Build([1], [0]).Should().Throw<ArgumentException>().WithMessage("*below 1*");
        Build([1, 2], [long.MaxValue, 1]).Should().Throw<ArgumentException>().WithMessage("*overflow*");
        Build([1], [1, 2]).Should().Throw<ArgumentException>();
        Build([1], [1], digits: 0).Should().Throw<ArgumentException>().WithMessage("*significant digits*");
        Build([1], [1], digits: 19, error: 0.1).Should().Throw<ArgumentException>().WithMessage("*relative error*");
        Build([1], [1], digits: 5, error: 0).Should().Throw<ArgumentException>().WithMessage("*relative error*");
        Build([1], [1], digits: 5, error: double.NaN).Should().Throw<ArgumentException>().WithMessage("*relative error*");

        static Action Build(long[] prices, long[] counts, int digits = 19, double error = 0) =>
            () => StreamingMedian.FromLevels(prices, counts, digits, error, 100);
    }

    [Test]
    public void Restore_refuses_a_state_no_symbol_can_have()
    {
        var good = new SymbolState("X", 3, 5, 9, 0, 0, 19, 0, [5, 7], [2, 1]);
        FeedSymbol.Restore(good, 100).Snapshot().Count.Should().Be(3);
        Restore(good with { Count = 4 }).Should().Throw<ArgumentException>().WithMessage("*count is 4*");
        Restore(good with { Missed = -1 }).Should().Throw<ArgumentException>().WithMessage("*missed*");
        Restore(good with { LastTradeId = -2 }).Should().Throw<ArgumentException>().WithMessage("*last trade id*");
        Restore(good with { Symbol = "" }).Should().Throw<ArgumentException>().WithMessage("*empty symbol*");
        Restore(good with { Symbol = new string('A', 65) }).Should().Throw<ArgumentException>().WithMessage("*65 UTF-8 bytes*");
        Restore(good with { Symbol = "A\uD800" }).Should().Throw<ArgumentException>().WithMessage("*surrogate*");
        Restore(good with { Prices = [7, 5] }).Should().Throw<ArgumentException>().WithMessage("*not above*");

        static Action Restore(SymbolState state) => () => FeedSymbol.Restore(state, 100);
    }

    [Test]
    public void A_symbol_filling_a_gap_checkpoints_only_its_counted_trades()
    {
        var symbol = new FeedSymbol("GAPUSDT", 100);
        for (var id = 1; id <= 10; id++)
        {
            symbol.Apply(id, id * 100, 1_000 + id).Result.Should().Be(TradeResult.Applied);
        }

        symbol.Apply(15, 99_900, 2_000).Result.Should().Be(TradeResult.Gap);
        symbol.Apply(16, 99_900, 2_001).Result.Should().Be(TradeResult.Held);
        symbol.Apply(17, 99_900, 2_002).Result.Should().Be(TradeResult.Held);
        symbol.ApplyFilled(11, 1_100, 1_011).Should().BeTrue();

        var captured = symbol.Capture();
        (captured.Count, captured.LastTradeId, captured.LastPrice, captured.LastTime).Should().Be((11L, 11L, 1_100L, 1_011L));
        captured.Prices.Should().Equal(Enumerable.Range(1, 11).Select(i => i * 100L));

        var read = FeedCheckpoint.Read(WriteToArray([symbol]), "memory").Symbols.Single();
        read.Should().BeEquivalentTo(captured, o => o.ComparingByMembers<SymbolState>());
        var restored = FeedSymbol.Restore(read, 100);
        var snapshot = restored.Snapshot();
        (snapshot.Count, snapshot.Filling, snapshot.MedianHalfUnits).Should().Be((11L, false, 1_200L));

        // After a restart the held trades come again: live ones open the gap anew, the back-fill fetches from 12.
        var gap = restored.Apply(16, 99_900, 2_001);
        (gap.Result, gap.GapFrom).Should().Be((TradeResult.Gap, 12L));
    }

    [Test]
    public void Each_byte_is_where_the_documented_layout_puts_it()
    {
        var symbol = new FeedSymbol("BTC", 100);
        symbol.Apply(5, 300, 1_000);
        symbol.Apply(6, 100, 1_001);
        symbol.Apply(7, 300, 1_002);
        var bytes = WriteToArray([symbol, new FeedSymbol("É", 100)], new DateTimeOffset(0x0102030405060708, TimeSpan.Zero));

        byte[] expected =
        [
            .. "TSFEEDCK"u8, 1, 0, 0, 0, 2, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1,

            // BTC: count 3, last price 300, last id 7 (+1), last time 1002, missed 0, 19 digits, error 0.0, 2 levels.
            3, (byte)'B', (byte)'T', (byte)'C', 3, 0xAC, 0x02, 8, 0xEA, 0x07, 0, 19, 0, 0, 0, 0, 0, 0, 0, 0, 2,
            100, 1, // 100 ×1
            0xC8, 0x01, 2, // 300 ×2: 200 above the previous level

            // É: two UTF-8 bytes, empty, last trade id −1 written as 0.
            2, 0xC3, 0x89, 0, 0, 0, 0, 0, 19, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        bytes.AsSpan(0, bytes.Length - 8).ToArray().Should().Equal(expected);
        BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(bytes.Length - 8)).Should().Be(Crc64.HashToUInt64(expected));
    }

    [Test]
    public void The_checksum_is_crc64_ecma182() =>
        Crc64.HashToUInt64("123456789"u8).Should().Be(0x6C40DF5F0B497347UL, "the documented check value of CRC-64/ECMA-182");

    [Test]
    public void Every_truncation_is_refused()
    {
        var bytes = SmallCheckpoint();
        for (var length = 0; length < bytes.Length; length++)
        {
            var torn = bytes.AsSpan(0, length).ToArray();
            FluentActions.Invoking(() => FeedCheckpoint.Read(torn, "torn"))
                .Should().Throw<FeedCheckpointException>($"{length} of {bytes.Length} bytes").WithMessage("checkpoint torn *");
        }
    }

    [Test]
    public void Every_changed_byte_is_refused([Values(0x01, 0x80, 0xFF, 0x5A)] int mask)
    {
        var bytes = SmallCheckpoint();
        FeedCheckpoint.Read(bytes, "intact").Symbols.Should().HaveCount(3);
        for (var at = 0; at < bytes.Length; at++)
        {
            var changed = (byte[])bytes.Clone();
            changed[at] ^= (byte)mask;
            FluentActions.Invoking(() => FeedCheckpoint.Read(changed, "changed"))
                .Should().Throw<FeedCheckpointException>($"byte {at} of {bytes.Length} changed");
        }
    }

    [Test]
    public void Bytes_after_the_trailer_are_refused([Values(1, 7, 8, 9, 100)] int extra)
    {
        var bytes = SmallCheckpoint();
        var longer = new byte[bytes.Length + extra];
        bytes.CopyTo(longer, 0);
        new Random(extra).NextBytes(longer.AsSpan(bytes.Length));
        FluentActions.Invoking(() => FeedCheckpoint.Read(longer, "longer")).Should().Throw<FeedCheckpointException>();

        var twice = bytes.Concat(bytes).ToArray();
        FluentActions.Invoking(() => FeedCheckpoint.Read(twice, "twice")).Should().Throw<FeedCheckpointException>();
    }

    [Test]
    public void Another_version_is_refused_naming_the_file_and_both_versions()
    {
        var bytes = SmallCheckpoint();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), 7);
        var path = Path.Combine(Path.GetTempPath(), $"feed-{Guid.NewGuid():N}.ckpt");
        try
        {
            File.WriteAllBytes(path, bytes);
            var thrown = FluentActions.Invoking(() => FeedCheckpoint.Read(path)).Should().Throw<FeedCheckpointException>().Which;
            thrown.Message.Should().Be($"checkpoint {path} is version 7; this build reads version 1");
            thrown.FoundVersion.Should().Be(7);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void A_file_is_read_whole_from_its_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"feed-{Guid.NewGuid():N}.ckpt");
        try
        {
            File.WriteAllBytes(path, SmallCheckpoint());
            FeedCheckpoint.Read(path).Symbols.Select(s => s.Symbol).Should().Equal("A", "BB", "CCC");
            File.WriteAllBytes(path, []);
            FluentActions.Invoking(() => FeedCheckpoint.Read(path)).Should().Throw<FeedCheckpointException>()
                .WithMessage($"checkpoint {path} is damaged: it is empty");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Another_magic_is_refused()
    {
        var bytes = SmallCheckpoint();
        bytes[0] = (byte)'X';
        FluentActions.Invoking(() => FeedCheckpoint.Read(bytes, "other")).Should().Throw<FeedCheckpointException>()
            .WithMessage("checkpoint other is not a feed checkpoint*");
        FluentActions.Invoking(() => FeedCheckpoint.Read("{\"symbols\":[]}"u8, "json")).Should().Throw<FeedCheckpointException>()
            .WithMessage("checkpoint json is not a feed checkpoint*");
    }

    [TestCaseSource(nameof(ImpossibleRecords))]
    public void An_impossible_value_is_refused_even_under_a_correct_checksum(byte[] record, string why)
    {
        var bytes = Checkpoint(1, record);
        FluentActions.Invoking(() => FeedCheckpoint.Read(bytes, "forged")).Should().Throw<FeedCheckpointException>()
            .WithMessage($"checkpoint forged is damaged: *{why}*");
    }

    [Test]
    public void The_forged_record_of_the_impossible_value_cases_is_sound_as_it_stands()
    {
        var state = FeedCheckpoint.Read(Checkpoint(1, SoundRecord()), "forged").Symbols.Single();
        state.Should().BeEquivalentTo(
            new SymbolState("AB", 3, 300, 7, 1_002, 1, 19, 0, [100, 200], [1, 2]), o => o.ComparingByMembers<SymbolState>());
    }

    [Test]
    public void Records_must_fill_the_body_exactly()
    {
        var sound = SoundRecord();
        var other = SoundRecord();
        other[2] = (byte)'C';
        FeedCheckpoint.Read(Checkpoint(2, [.. sound, .. other]), "two").Symbols.Should().HaveCount(2);
        Refused(Checkpoint(2, [.. sound, .. other[..15]]), "*record 1 (at byte 48): it ends before the record does*");
        Refused(Checkpoint(3, [.. sound, .. other, 2, (byte)'D', (byte)'D', 0x80, 0x80, 0x80]), "*record 2 (at byte 72): it ends inside a value*");
        Refused(Checkpoint(1, [.. sound, 0]), "*1 bytes follow the last record*");
        Refused(Checkpoint(2, [.. sound, .. sound]), "*listed twice*");
        Refused(Checkpoint(-1, sound), "*-1 symbols*");
        Refused(Checkpoint(1_000, sound), "*1000 symbols*");

        static void Refused(byte[] bytes, string message) =>
            FluentActions.Invoking(() => FeedCheckpoint.Read(bytes, "forged")).Should().Throw<FeedCheckpointException>().WithMessage(message);
    }

    [Test]
    public void Writing_refuses_names_it_could_not_read_back()
    {
        var act = () => FeedCheckpoint.Write(Stream.Null, [new FeedSymbol("X", 10), new FeedSymbol("X", 10)], Created);
        act.Should().Throw<ArgumentException>().WithMessage("*listed twice*");
        act = () => FeedCheckpoint.Write(Stream.Null, [new FeedSymbol(new string('Ü', 33), 10)], Created);
        act.Should().Throw<ArgumentException>().WithMessage("*66 UTF-8 bytes*");
        act = () => FeedCheckpoint.Write(Stream.Null, [new FeedSymbol("\uDC00", 10)], Created);
        act.Should().Throw<ArgumentException>().WithMessage("*surrogate*");
    }

    [Test]
    public void An_empty_checkpoint_round_trips()
    {
        var bytes = WriteToArray([]);
        bytes.Should().HaveCount(FeedCheckpoint.HeaderBytes + FeedCheckpoint.TrailerBytes);
        var contents = FeedCheckpoint.Read(bytes, "empty");
        (contents.Created, contents.Symbols.Count).Should().Be((Created, 0));
    }

    [Test]
    public void Writing_streams_in_bounded_pieces_to_a_stream_that_cannot_seek()
    {
        // Many symbols and one record larger than the initial buffer: the buffer grows for it, nothing else is held.
        var random = new Random(11);
        var symbols = new List<FeedSymbol>();
        for (var i = 0; i < 300; i++)
        {
            var symbol = new FeedSymbol($"SYM{i}", 1_000_000);
            var levels = i == 150 ? 120_000 : random.Next(0, 2_000);
            for (var id = 0; id < levels; id++)
            {
                symbol.Apply(id, random.NextInt64(0, 1L << 40));
            }

            symbols.Add(symbol);
        }

        using var sink = new RecordingStream();
        var written = FeedCheckpoint.Write(sink, symbols, Created);

        written.Should().Be(sink.Bytes.Length);
        sink.Writes.Should().BeGreaterThan(10, "the buffer goes out between records");
        var largestRecord = 100 + (120_000 * 2 * 10);
        sink.LargestWrite.Should().BeLessThanOrEqualTo(FeedCheckpoint.Writer.FlushThreshold + largestRecord);
        var contents = FeedCheckpoint.Read(sink.Bytes, "sink");
        for (var i = 0; i < symbols.Count; i++)
        {
            FeedSymbol.Restore(contents.Symbols[i], 1_000_000).Snapshot().Should().Be(symbols[i].Snapshot());
        }
    }

    [Test]
    public void Reading_in_pieces_of_any_size_across_the_window_gives_the_written_states([Range(1, 6)] int seed)
    {
        // One record larger than the read window between small ones, read back through a stream that hands out a random
        // number of bytes per call: every value straddling a window or a piece boundary must decode the same.
        var random = new Random(seed);
        var symbols = new List<FeedSymbol>();
        for (var i = 0; i < 40; i++)
        {
            var symbol = new FeedSymbol($"P{i}", 1_000_000);
            var levels = i == 20 ? 250_000 : random.Next(0, 3_000);
            for (var id = 0; id < levels; id++)
            {
                symbol.Apply(id, random.NextInt64(0, 1L << 40));
            }

            symbols.Add(symbol);
        }

        var bytes = WriteToArray(symbols);
        bytes.Length.Should().BeGreaterThan(FeedCheckpoint.ReadWindowBytes, "a record must cross the read window");
        var maxPiece = seed % 2 == 0 ? 7 : FeedCheckpoint.ReadWindowBytes;
        using var stream = new PiecemealStream(bytes, random, maxPiece);
        var read = new List<SymbolState>();
        var created = FeedCheckpoint.Read(stream, "pieces", read.Add);

        created.Should().Be(Created);
        read.Should().HaveCount(symbols.Count);
        for (var i = 0; i < symbols.Count; i++)
        {
            read[i].Should().BeEquivalentTo(symbols[i].Capture(), o => o.ComparingByMembers<SymbolState>().WithStrictOrdering());
        }
    }

    [Test]
    public void Damage_anywhere_in_a_checkpoint_larger_than_the_window_is_refused([Range(1, 4)] int seed)
    {
        var random = new Random(seed);
        var symbol = new FeedSymbol("BIG", 1_000_000);
        for (var id = 0; id < 300_000; id++)
        {
            symbol.Apply(id, random.NextInt64(0, 1L << 40));
        }

        var bytes = WriteToArray([symbol]);
        for (var i = 0; i < 50; i++)
        {
            var changed = (byte[])bytes.Clone();
            changed[random.Next(changed.Length)] ^= (byte)random.Next(1, 256);
            FluentActions.Invoking(() => FeedCheckpoint.Read(changed, "changed")).Should().Throw<FeedCheckpointException>();
            var torn = bytes.AsSpan(0, random.Next(bytes.Length)).ToArray();
            FluentActions.Invoking(() => FeedCheckpoint.Read(torn, "torn")).Should().Throw<FeedCheckpointException>();
        }
    }

    [Test]
    public void A_stream_that_cannot_seek_is_refused_before_reading()
    {
        using var sink = new RecordingStream();
        FluentActions.Invoking(() => FeedCheckpoint.Read(sink, "pipe", _ => { })).Should().Throw<ArgumentException>()
            .WithMessage("*must seek*");
    }

    private static IEnumerable<TestCaseData> ImpossibleRecords()
    {
        TestCaseData Case(string name, byte[] record, string why) => new TestCaseData(record, why).SetArgDisplayNames(name);

        var sound = SoundRecord();
        byte[] With(int at, params byte[] replacement) => [.. sound[..at], .. replacement, .. sound[(at + 1)..]];

        // Offsets in the sound record: 0 name length, 1–2 name, 3 count, 4–5 last price, 6 last id + 1, 7–8 last time,
        // 9 missed, 10 digits, 11–18 error, 19 levels, 20–21 level 0 (delta, count), 22–23 level 1.
        yield return Case("negative count", With(3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01), "count 18446744073709551615 is beyond");
        yield return Case("count not the levels' sum", With(3, 4), "the levels hold 3 prices but the count is 4");
        yield return Case("levels not ascending", With(22, 0), "repeats the previous level");
        yield return Case("level count 0", With(21, 0), "count 0 below 1");
        yield return Case("name not UTF-8", With(1, 0xFF), "not valid UTF-8");
        yield return Case("name too long", [65, .. new byte[65].Select(_ => (byte)'A'), .. sound[3..]], "65 bytes");
        yield return Case("empty name", [0, .. sound[3..]], "0 bytes");
        yield return Case("digits 0", With(10, 0), "significant digits 0");
        yield return Case("digits 20", With(10, 20), "significant digits 20");
        yield return Case("error while exact", With(18, 0x3F), "relative error");
        yield return Case("varint not shortest", With(3, 0x83, 0x00), "shortest form");
        yield return Case("varint past 64 bits", With(3, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02), "beyond 64 bits");
        yield return Case("too many levels", With(19, 0xFF, 0x01), "255 levels cannot fit");
        yield return Case("last id below −1", With(6, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01), "last trade id + 1");
    }

    // "AB": count 3, last price 300, last id 7, last time 1002, missed 1, exact, levels 100 ×1 and 200 ×2.
    private static byte[] SoundRecord() =>
        [2, (byte)'A', (byte)'B', 3, 0xAC, 0x02, 8, 0xEA, 0x07, 1, 19, 0, 0, 0, 0, 0, 0, 0, 0, 2, 100, 1, 100, 2];

    // A header claiming symbols, the records as given, and a correct checksum.
    private static byte[] Checkpoint(int symbols, byte[] records)
    {
        var header = new byte[FeedCheckpoint.HeaderBytes];
        "TSFEEDCK"u8.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), FeedCheckpoint.Version);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), symbols);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(16), Created.UtcTicks);
        byte[] body = [.. header, .. records];
        var trailer = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(trailer, Crc64.HashToUInt64(body));
        return [.. body, .. trailer];
    }

    private static byte[] SmallCheckpoint()
    {
        var a = new FeedSymbol("A", 100);
        var bb = new FeedSymbol("BB", 100);
        var ccc = new FeedSymbol("CCC", 4);
        for (var id = 0; id < 12; id++)
        {
            a.Apply(id + 1_000, ((id * 7) % 5) + 100, 1_700_000_000_000 + id);
            ccc.Apply(id, (id % 6) * 1_000_003);
        }

        a.Apply(1_020, 1);
        a.GiveUp(1_020);
        a.NextGap(out _, out _, out _);
        return WriteToArray([a, bb, ccc]);
    }

    private static byte[] WriteToArray(IEnumerable<FeedSymbol> symbols, DateTimeOffset? created = null)
    {
        using var stream = new MemoryStream();
        var written = FeedCheckpoint.Write(stream, symbols, created ?? Created);
        written.Should().Be(stream.Length);
        return stream.ToArray();
    }

    // Feeds the same `trades` trades of `kind` from `nextId` to every symbol (now and then a gap, given up and closed);
    // their snapshots must stay equal after every step. Returns the next id.
    private static long Feed(FeedSymbol[] symbols, Shape kind, Random random, long nextId, int trades)
    {
        long walk = 50_000_000;
        var time = 1_700_000_000_000L;
        for (var i = 0; i < trades; i++)
        {
            var price = kind switch
            {
                Shape.FewDistinct => random.Next(5) * 1_000_000L,
                Shape.RandomWalk => walk = Math.Max(0, walk + random.Next(-300, 301)),
                Shape.Wide => random.NextInt64(1, 10_000_000_000_000),
                _ => (long)Math.Pow(10, random.NextDouble() * 15),
            };
            time += random.Next(0, 3);
            var stamp = random.Next(10) == 0 ? 0 : time;
            var skip = random.Next(400) == 0 && symbols[0].LastTradeId >= 0 ? random.Next(1, 6) : 0;
            foreach (var symbol in symbols)
            {
                if (skip > 0)
                {
                    // A gap: the trades between are given up, the one after it is held and counted when the gap closes.
                    symbol.Apply(nextId + skip, price, stamp).Result.Should().Be(TradeResult.Gap);
                    symbol.Snapshot().Filling.Should().BeTrue();
                    symbol.GiveUp(nextId + skip).Should().Be(skip);
                    symbol.NextGap(out _, out var counted, out var closed).Should().BeFalse();
                    (counted, closed).Should().Be((1, true));
                }
                else
                {
                    symbol.Apply(nextId, price, stamp).Result.Should().Be(TradeResult.Applied);
                }
            }

            nextId += skip + 1;
            for (var s = 1; s < symbols.Length; s++)
            {
                symbols[s].Snapshot().Should().Be(symbols[0].Snapshot(), $"after trade {i}");
                symbols[s].LastTradeId.Should().Be(symbols[0].LastTradeId);
            }
        }

        return nextId;
    }

    /// <summary>Write-only, cannot seek: records every write's size.</summary>
    /// <summary>A seekable stream over bytes that answers each read with a random number of them, at most a bound.</summary>
    private sealed class PiecemealStream(byte[] bytes, Random random, int maxPiece) : MemoryStream(bytes, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) =>
            base.Read(buffer, offset, Math.Min(count, random.Next(1, maxPiece + 1)));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, random.Next(1, maxPiece + 1))]);
    }

    private sealed class RecordingStream : Stream
    {
        private readonly MemoryStream _bytes = new();

        public byte[] Bytes => _bytes.ToArray();

        public int Writes { get; private set; }

        public int LargestWrite { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Writes++;
            LargestWrite = Math.Max(LargestWrite, count);
            _bytes.Write(buffer, offset, count);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _bytes.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
