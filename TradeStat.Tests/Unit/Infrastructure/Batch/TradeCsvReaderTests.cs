using TradeStat.Infrastructure.Batch;
using TradeStat.Tests.Support;
using static TradeStat.Tests.Support.CsvRun;

namespace TradeStat.Tests.Unit.Infrastructure.Batch;

[TestFixture]
[Category("Unit")]
public sealed class TradeCsvReaderTests
{
    private static readonly Source[] Sources = [Source.File, Source.Stream];

    [Test]
    public void The_sample_gives_exactly_the_sample_output([ValueSource(nameof(Sources))] Source source)
    {
        var outcome = Analyze(TradeInputs.Sample, source);
        outcome.Output.Should().Be(TradeInputs.SampleOutput);
        outcome.Lines.Should().Be(8);
        outcome.Error.Should().BeNull();
    }

    [Test]
    public void An_empty_input_gives_an_empty_output([ValueSource(nameof(Sources))] Source source)
    {
        var outcome = Analyze("", source);
        outcome.Output.Should().BeEmpty();
        outcome.Lines.Should().Be(0);
        outcome.Error.Should().BeNull();
    }

    [Test]
    public void A_missing_final_line_feed_and_crlf_line_ends_are_accepted([ValueSource(nameof(Sources))] Source source)
    {
        Analyze(TradeInputs.Sample.TrimEnd('\n'), source).Output.Should().Be(TradeInputs.SampleOutput);
        Analyze(TradeInputs.Sample.Replace("\n", "\r\n", StringComparison.Ordinal), source).Output.Should().Be(TradeInputs.SampleOutput);
    }

    [Test]
    public void Random_inputs_match_the_naive_reference(
        [Range(1, 12)] int seed,
        [ValueSource(nameof(Sources))] Source source)
    {
        var random = new Random(seed);
        var input = TradeInputs.Random(seed, random.Next(1, 3_000), random.Next(1, 60), huge: seed % 3 == 0, generalSymbols: seed % 2 == 0);
        var expected = NaiveTrades.Analyze(input);
        var options = new CsvReadOptions { Threads = 1 + seed % 3, ChunkSize = random.Next(1, 2_000), MaxLineLength = 128 };

        var outcome = Analyze(input, source, options);

        ShouldMatch(outcome, expected);
    }

    [Test]
    public void Symbols_whose_letter_keys_collide_match_the_naive_reference(
        [Range(1, 8)] int seed,
        [ValueSource(nameof(Sources))] Source source)
    {
        // Whichever of two colliding letter symbols a segment meets first, the key has one owner for the whole run:
        // the other takes the id path in every segment, and the merges put each symbol's trades together.
        var random = new Random(seed);
        var names = TradeInputs.CollidingSymbols(seed, random.Next(2, 513));
        var input = TradeInputs.Random(seed, random.Next(1, 20_000), 0, uniform: true, names: names);

        ShouldMatch(Analyze(input, source, ManySegments(random, seed, random.Next(64, 2_000))), NaiveTrades.Analyze(input));
    }

    [Test]
    public void An_alphanumeric_universe_matches_the_naive_reference_as_its_letter_keys_close(
        [Range(1, 6)] int seed,
        [ValueSource(nameof(Sources))] Source source)
    {
        // Mixed-case letter symbols and symbols with digits: the letter keys close part-way through the run, and the
        // letter states of segments parsed before then move to id slots, at the next chunk or at the merge.
        var random = new Random(seed);
        const string bytes = "aAbBcCdDeEfF0123456789";
        var names = new HashSet<string>(StringComparer.Ordinal);
        var count = random.Next(600, 3_000);
        while (names.Count < count)
        {
            names.Add(new string([bytes[random.Next(bytes.Length)], bytes[random.Next(bytes.Length)], bytes[random.Next(bytes.Length)]]));
        }

        var input = TradeInputs.Random(seed, random.Next(5_000, 30_000), 0, uniform: true, names: names.ToArray());

        ShouldMatch(Analyze(input, source, ManySegments(random, seed, random.Next(256, 8_000))), NaiveTrades.Analyze(input));
    }

    [Test]
    public void Thousands_of_mixed_case_symbols_a_segment_match_the_naive_reference(
        [Range(1, 4)] int seed,
        [ValueSource(nameof(Sources))] Source source)
    {
        // Past 2,048 symbols a segment (the ring of deferred trades in use) with colliding letter keys on 2–3 threads;
        // with --skip-invalid, timestamps of 0 now and then make segments that must be parsed again (their first trade
        // comes before the previous segment's last), their letter states cleared and rebuilt.
        var random = new Random(seed);
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (names.Count < 5_000)
        {
            names.Add(new string([(char)(random.Next(2) == 0 ? 'a' + random.Next(26) : 'A' + random.Next(26)),
                (char)('a' + random.Next(26)), (char)(random.Next(2) == 0 ? 'a' + random.Next(26) : 'A' + random.Next(26))]));
        }

        var skipInvalid = seed % 2 == 0;
        var lines = TradeInputs.Random(seed, 60_000, 0, uniform: true, names: names.ToArray()).Split('\n');
        const int chunkSize = 64 << 10;
        if (skipInvalid)
        {
            // The first line of about half the chunks (and a few others) gets timestamp 0.
            long offset = lines[0].Length + 1;
            for (var i = 1; i < lines.Length - 1; i++)
            {
                var start = offset;
                if ((start / chunkSize != (start + lines[i].Length + 1) / chunkSize && random.Next(2) == 0) || random.Next(1_000) == 0)
                {
                    lines[i + 1] = "0" + lines[i + 1][lines[i + 1].IndexOf(',', StringComparison.Ordinal)..];
                }

                offset += lines[i].Length + 1;
            }
        }

        var input = string.Join('\n', lines);
        var options = new CsvReadOptions
        {
            Threads = 2 + seed % 2, ChunkSize = chunkSize, SegmentSize = 4 * chunkSize, SkipInvalid = skipInvalid,
        };

        var outcome = Analyze(input, source, options);
        var expected = NaiveTrades.Analyze(input, skipInvalid);

        ShouldMatchSkipping(outcome, expected);
        (expected.Invalid > 0).Should().Be(skipInvalid);
    }

    [Test]
    public void A_universe_met_in_phases_matches_the_naive_reference_with_symbols_first_seen_after_the_keys_close(
        [Range(1, 10)] int seed,
        [ValueSource(nameof(Sources))] Source source)
    {
        // Lowercase owners, case variants of them (some with '@', '`', '[', '{' and the like: the same key), symbols with
        // digits and longer ones, met in phases: the input's first lines draw from the start of the shuffled universe
        // only, so that symbols of every kind first come after the letter keys closed (or, with few ids, while they
        // stay open), in segments parsed at once on 2–3 threads; every third seed with --skip-invalid re-parses.
        var random = new Random(seed);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var lowercase = new List<string>();
        for (var count = random.Next(1, 3_000); lowercase.Count < count;)
        {
            var name = new string([(char)('a' + random.Next(26)), (char)('a' + random.Next(26)), (char)('a' + random.Next(26))]);
            if (names.Add(name))
            {
                lowercase.Add(name);
            }
        }

        for (var i = random.Next(0, 1_500); i > 0; i--)
        {
            var variant = lowercase[random.Next(lowercase.Count)].ToCharArray();
            for (var j = 0; j < 3; j++)
            {
                variant[j] = random.Next(10) == 0 ? "@`[{\\|]}^~_"[random.Next(11)] : random.Next(2) == 0 ? char.ToUpperInvariant(variant[j]) : variant[j];
            }

            names.Add(new string(variant));
        }

        for (var i = random.Next(0, 700); i > 0; i--)
        {
            names.Add(new string([(char)('0' + random.Next(10)), (char)('a' + random.Next(26)), (char)('0' + random.Next(10))]));
        }

        for (var i = random.Next(0, 50); i > 0; i--)
        {
            names.Add($"L{random.Next(100_000)}");
        }

        var universe = names.ToArray();
        random.Shuffle(universe);
        var skipInvalid = seed % 3 == 0;
        var lines = TradeInputs.Random(seed, random.Next(20_000, 60_000), 0, names: universe, uniform: true, phased: true).Split('\n');
        for (var i = 1; i < lines.Length; i++)
        {
            if (skipInvalid && lines[i].Length > 0 && random.Next(300) == 0)
            {
                lines[i] = "0" + lines[i][lines[i].IndexOf(',', StringComparison.Ordinal)..]; // timestamp 0: before the lines above
            }
        }

        var input = string.Join('\n', lines);
        var chunkSize = random.Next(200, 20_000);
        var options = ManySegments(random, seed, chunkSize) with { SkipInvalid = skipInvalid };

        ShouldMatchSkipping(Analyze(input, source, options), NaiveTrades.Analyze(input, skipInvalid));
    }

    // Two or three threads over segments of 1–8 chunks of chunkSize bytes: many segments parsed at once, merged in order.
    private static CsvReadOptions ManySegments(Random random, int seed, int chunkSize) => new()
    {
        Threads = 2 + seed % 2, ChunkSize = chunkSize, SegmentSize = chunkSize * random.Next(1, 9), MaxLineLength = 128,
    };

    [Test]
    public void Segments_of_any_length_match_the_naive_reference(
        [Range(1, 24)] int seed,
        [ValueSource(nameof(Sources))] Source source)
    {
        // Many chunks a segment, many segments a run, segment edges anywhere: each thread's aggregation spans
        // several chunks, and the segments are merged in order.
        var random = new Random(seed);
        var input = TradeInputs.Random(seed, random.Next(1, 4_000), random.Next(1, 900), huge: seed % 4 == 0, generalSymbols: seed % 3 == 0);
        var expected = NaiveTrades.Analyze(input);
        var chunk = random.Next(1, 600);
        var options = new CsvReadOptions
        {
            Threads = 1 + seed % 3,
            ChunkSize = chunk,
            SegmentSize = chunk * random.Next(1, 40) + random.Next(chunk),
            MaxLineLength = 128,
        };

        var outcome = Analyze(input, source, options);

        ShouldMatch(outcome, expected);
    }

    [Test]
    public void Thousands_of_symbols_match_the_naive_reference(
        [Range(1, 6)] int seed,
        [ValueSource(nameof(Sources))] Source source)
    {
        // Past the point where the parser defers each trade until its state is fetched.
        var random = new Random(seed);
        var input = TradeInputs.Random(seed, random.Next(20_000, 60_000), random.Next(2_500, 17_576), huge: seed % 3 == 0, generalSymbols: seed % 2 == 0);
        var expected = NaiveTrades.Analyze(input);
        var chunk = random.Next(1_000, 200_000);
        var options = new CsvReadOptions { Threads = 1 + seed % 3, ChunkSize = chunk, SegmentSize = chunk * random.Next(1, 8), MaxLineLength = 128 };

        var outcome = Analyze(input, source, options);

        outcome.Error.Should().BeNull();
        outcome.Output.Should().Be(expected.Output);
        outcome.Lines.Should().Be(expected.Lines);
    }

    [Test]
    public void Many_symbols_of_one_to_eight_bytes_match_the_naive_reference([Range(1, 4)] int seed, [ValueSource(nameof(Sources))] Source source)
    {
        // Symbols of every length up to eight bytes, some the prefix of others (the short table's keys), a few
        // invalid ones with skip-invalid.
        var random = new Random(seed);
        var names = Enumerable.Range(0, random.Next(100, 5_000))
            .Select(i => i.ToString("x", System.Globalization.CultureInfo.InvariantCulture) is var hex
                ? (hex + "QRSTUVWX")[..Math.Max(hex.Length, 1 + i % 8)]
                : "")
            .ToArray();
        var text = new System.Text.StringBuilder();
        long time = 1;
        for (var i = random.Next(1, 40_000); i > 0; i--)
        {
            time += random.Next(0, 50);
            var name = random.Next(500) == 0 ? "a\tb" : names[random.Next(names.Length)];
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{time},{name},{random.Next(1, 1000)},{random.Next(1, 1000)}\n");
        }

        var input = text.ToString();
        var expected = NaiveTrades.Analyze(input, skipInvalid: true);
        var chunk = random.Next(100, 50_000);
        var outcome = Analyze(input, source, new CsvReadOptions { SkipInvalid = true, Threads = 1 + seed % 3, ChunkSize = chunk, MaxLineLength = 64 });
        outcome.Output.Should().Be(expected.Output);
        outcome.Invalid.Should().Be(expected.Invalid);

        var strict = Analyze(input, source, new CsvReadOptions { Threads = 1 + seed % 3, ChunkSize = chunk, SegmentSize = chunk * 3, MaxLineLength = 64 });
        strict.Error?.Line.Should().Be(NaiveTrades.Analyze(input).ErrorLine);
    }

    [Test]
    public void A_decreasing_timestamp_inside_or_at_the_edge_of_a_segment_is_caught_with_its_global_line_number(
        [Range(1, 12)] int seed,
        [ValueSource(nameof(Sources))] Source source)
    {
        var random = new Random(seed);
        var lines = TradeInputs.Random(seed, 600, 40).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        var at = random.Next(1, lines.Count);
        lines.Insert(at, "0,zzz,1,1");
        var input = string.Join('\n', lines) + "\n";
        var chunk = random.Next(1, 300);
        var options = new CsvReadOptions { Threads = 1 + seed % 3, ChunkSize = chunk, SegmentSize = chunk * random.Next(1, 12), MaxLineLength = 64 };

        var outcome = Analyze(input, source, options);

        outcome.Error!.Line.Should().Be(at + 1).And.Be(NaiveTrades.Analyze(input).ErrorLine);
        outcome.Error.Reason.Should().StartWith("timestamp 0 is before the previous trade's");
    }

    [Test]
    public void Every_chunk_size_from_one_byte_gives_the_same_result_as_one_chunk([ValueSource(nameof(Sources))] Source source)
    {
        var input = TradeInputs.Random(99, 60, 5, huge: true, generalSymbols: true);
        var expected = NaiveTrades.Analyze(input).Output;
        for (var chunk = 1; chunk <= input.Length + 1; chunk += chunk < 100 ? 1 : 37)
        {
            var outcome = Analyze(input, source, new CsvReadOptions { Threads = 3, ChunkSize = chunk, MaxLineLength = 100 });
            outcome.Output.Should().Be(expected, $"chunk size {chunk}");
            outcome.Lines.Should().Be(60);
        }
    }

    [Test]
    public void A_gap_across_a_chunk_edge_is_measured([ValueSource(nameof(Sources))] Source source)
    {
        // Each line is 13 bytes: with 13-byte chunks every line is its own chunk.
        const string input = "1000,aaa,1,1\n2000,bbb,1,1\n9000,aaa,1,1\n9000,bbb,1,1\n";
        var outcome = Analyze(input, source, new CsvReadOptions { Threads = 2, ChunkSize = 13, MaxLineLength = 16 });
        outcome.Output.Should().Be("aaa,8000,2,1,1\nbbb,7000,2,1,1\n");
    }

    [Test]
    public void Stdin_chunks_of_a_large_input_match_a_file_read()
    {
        var input = TradeInputs.Random(7, 40_000, 300);
        var file = Analyze(input, Source.File, new CsvReadOptions { ChunkSize = 65_536 });
        var stream = Analyze(input, Source.Stream, new CsvReadOptions { ChunkSize = 65_536 });
        stream.Should().Be(file);
        file.Output.Should().Be(NaiveTrades.Analyze(input).Output);
    }

    [Test]
    public void File_segments_cover_every_chunk_once_and_shrink_towards_the_end([Range(1, 40)] int seed)
    {
        var random = new Random(seed);
        var chunk = seed % 4 == 0 ? CsvReadOptions.DefaultChunkSize : random.Next(1, 5_000);
        var options = new CsvReadOptions
        {
            Threads = random.Next(1, 5),
            ChunkSize = chunk,
            SegmentSize = chunk * random.Next(1, 40),
        };
        var chunks = (long)random.Next(0, 200_000);
        var largest = Math.Max(options.SegmentChunks, CsvReadOptions.MaxFileSegmentBytes / chunk);

        var taken = SegmentsOf(options, chunks);

        taken.Sum().Should().Be(chunks);
        taken.Should().OnlyContain(t => t <= largest);
        taken.Take(Math.Max(0, taken.Count - 1)).Should().OnlyContain(t => t >= options.SegmentChunks);
        taken.Should().BeInDescendingOrder();
    }

    [Test]
    public void A_gigabyte_file_is_a_dozen_segments_ending_in_small_ones()
    {
        // 950 MB of 2 MiB chunks on two threads: few merges, and the last segments are the smallest (16 MiB), so the
        // threads finish within one small segment of each other.
        var options = new CsvReadOptions { Threads = 2 };
        var taken = SegmentsOf(options, 475);

        taken.Count.Should().BeInRange(8, 20);
        taken[0].Should().Be(118);
        taken[^2].Should().Be(options.SegmentChunks);
        new CsvReadOptions { SkipInvalid = true }.FileSegmentChunks(475).Should().Be(1);
    }

    // The chunk counts of a file's segments, in order, as the reader takes them.
    private static List<long> SegmentsOf(CsvReadOptions options, long chunks)
    {
        var taken = new List<long>();
        for (var left = chunks; left > 0;)
        {
            var take = Math.Min(left, options.FileSegmentChunks(left));
            taken.Add(take);
            left -= take;
        }

        return taken;
    }

    // A valid input: no error, the naive reference's output, and every line read and counted as a trade.
    private static void ShouldMatch(CsvRun.Outcome outcome, NaiveTrades.Result expected)
    {
        outcome.Error.Should().BeNull();
        outcome.Output.Should().Be(expected.Output);
        outcome.Lines.Should().Be(expected.Lines);
        outcome.Trades.Should().Be(expected.Lines);
    }

    // An input that may hold invalid lines, read (with --skip-invalid where it does): the naive reference's output and
    // counts, every valid line a trade.
    private static void ShouldMatchSkipping(CsvRun.Outcome outcome, NaiveTrades.Result expected)
    {
        outcome.Error.Should().BeNull();
        outcome.Output.Should().Be(expected.Output);
        outcome.Lines.Should().Be(expected.Lines);
        outcome.Invalid.Should().Be(expected.Invalid);
        outcome.Trades.Should().Be(expected.Lines - expected.Invalid);
    }
}
