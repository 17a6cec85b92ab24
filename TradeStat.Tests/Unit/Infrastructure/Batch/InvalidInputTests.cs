using TradeStat.Infrastructure.Batch;
using TradeStat.Tests.Support;
using static TradeStat.Tests.Support.CsvRun;

namespace TradeStat.Tests.Unit.Infrastructure.Batch;

[TestFixture]
[Category("Unit")]
public sealed class InvalidInputTests
{
    private const string Good = "100,aaa,1,10\n200,bbb,2,20\n";
    private static readonly Source[] Sources = [Source.File, Source.Stream];

    // A bad third line, the reason expected in the message.
    private static readonly (string Line, string Reason)[] Cases =
    [
        ("", "empty line"),
        ("300,aaa,1", "expected 4 comma-separated fields"),
        ("300,aaa,1,2,3", "expected 4 comma-separated fields"),
        ("300,aaa,0,10", "quantity must be positive, got 0"),
        ("300,aaa,-5,10", "quantity must be positive, got -5"),
        ("300,aaa,5,0", "price must be positive, got 0"),
        ("300,aaa,5,-1", "price must be positive, got -1"),
        ("300,aaa,1.5,10", "quantity '1.5' is not a whole number"),
        ("300,aaa,5,10.0", "price '10.0' is not a whole number"),
        ("30x,aaa,5,10", "timestamp '30x' is not a whole number"),
        ("-300,aaa,5,10", "timestamp must not be negative"),
        (",aaa,5,10", "timestamp is empty"),
        ("300,,5,10", "symbol is empty"),
        ("300,aaa,,10", "quantity is empty"),
        ("300,aaa,5,", "price is empty"),
        ("300,aaa,9223372036854775808,10", "quantity '9223372036854775808' is larger than 9223372036854775807"),
        ("300,aaa,5,99999999999999999999", "larger than 9223372036854775807"),
        ("99999999999999999999,aaa,5,10", "timestamp"),
        ("300,aaa,00000000000000000001,10", "more than 19 digits"),
        ("300,a\u0001a,5,10", "symbol contains a control character"),
        ("300,abcdefghijklmnopqrstuvwxyz0123456789,5,10", "symbol is longer than 32 bytes"),
        ("300,aaa,5,10 ", "price '10 ' is not a whole number"),
        (" 300,aaa,5,10", "timestamp ' 300' is not a whole number"),
        ("150,aaa,5,10", "timestamp 150 is before the previous trade's 200"),
    ];

    [Test]
    public void An_invalid_line_stops_the_run_with_its_number_and_reason(
        [ValueSource(nameof(CaseIndexes))] int index,
        [ValueSource(nameof(Sources))] Source source)
    {
        var (line, reason) = Cases[index];
        var outcome = Analyze(Good + line + "\n400,ccc,3,30\n", source);
        outcome.Error.Should().NotBeNull();
        outcome.Error!.Line.Should().Be(3);
        outcome.Error.Reason.Should().Contain(reason);
        outcome.Output.Should().BeEmpty();
    }

    [Test]
    public void With_skip_invalid_the_line_is_counted_and_the_rest_is_analysed(
        [ValueSource(nameof(CaseIndexes))] int index,
        [ValueSource(nameof(Sources))] Source source)
    {
        var (line, reason) = Cases[index];
        var outcome = Analyze(Good + line + "\n400,ccc,3,30\n", source, new CsvReadOptions { SkipInvalid = true });
        outcome.Error.Should().BeNull();
        outcome.Invalid.Should().Be(1);
        outcome.FirstInvalid!.Line.Should().Be(3);
        outcome.FirstInvalid.Reason.Should().Contain(reason);
        outcome.Output.Should().Be("aaa,0,1,10,10\nbbb,0,2,20,20\nccc,0,3,30,30\n");
    }

    [Test]
    public void A_decreasing_timestamp_at_a_chunk_edge_is_caught_with_its_global_line_number([ValueSource(nameof(Sources))] Source source)
    {
        // 13-byte lines, 13-byte chunks: line 4 is the first line of its own chunk.
        const string input = "1000,aaa,1,1\n2000,bbb,1,1\n3000,aaa,1,1\n2999,bbb,1,1\n4000,aaa,1,1\n";
        var options = new CsvReadOptions { Threads = 3, ChunkSize = 13, MaxLineLength = 16 };
        var outcome = Analyze(input, source, options);
        outcome.Error.Should().Be(new InputError(4, "timestamp 2999 is before the previous trade's 3000 (timestamps must not decrease)"));
    }

    [Test]
    public void With_skip_invalid_a_chunk_edge_gives_the_same_result_as_a_sequential_read(
        [Range(1, 8)] int seed,
        [ValueSource(nameof(Sources))] Source source)
    {
        var random = new Random(seed);
        var lines = TradeInputs.Random(seed, 400, 8).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        // Throw in decreasing timestamps (some far back, so that later chunks start below them) and junk.
        for (var i = 0; i < 25; i++)
        {
            var at = random.Next(lines.Count);
            lines.Insert(at, random.Next(3) switch
            {
                0 => $"{random.Next(0, 100)},zzz,1,1",
                1 => "garbage",
                _ => $"99999999999,yyy,{random.Next(0, 2)},5",
            });
        }

        var input = string.Join('\n', lines) + "\n";
        var expected = NaiveTrades.Analyze(input, skipInvalid: true);
        var outcome = Analyze(input, source, new CsvReadOptions { SkipInvalid = true, Threads = 3, ChunkSize = random.Next(1, 400), MaxLineLength = 64 });
        outcome.Output.Should().Be(expected.Output);
        outcome.Invalid.Should().Be(expected.Invalid);
        outcome.Lines.Should().Be(expected.Lines);
        outcome.FirstInvalid!.Line.Should().Be(expected.FirstInvalidLine);

        var chunk = random.Next(1, 400);
        var strict = Analyze(input, source, new CsvReadOptions { Threads = 3, ChunkSize = chunk, SegmentSize = chunk * random.Next(1, 9), MaxLineLength = 64 });
        strict.Error!.Line.Should().Be(NaiveTrades.Analyze(input).ErrorLine);
    }

    [Test]
    public void A_line_longer_than_the_limit_is_invalid_and_the_next_lines_are_read([ValueSource(nameof(Sources))] Source source)
    {
        var input = Good + new string('9', 500) + ",aaa,1,1\n300,ccc,3,30\n";
        var options = new CsvReadOptions { SkipInvalid = true, ChunkSize = 40, MaxLineLength = 64 };
        var outcome = Analyze(input, source, options);
        outcome.Invalid.Should().Be(1);
        outcome.FirstInvalid!.Line.Should().Be(3);
        outcome.Lines.Should().Be(4);
        outcome.Output.Should().Be("aaa,0,1,10,10\nbbb,0,2,20,20\nccc,0,3,30,30\n");

        var strict = Analyze(input, source, options with { SkipInvalid = false });
        strict.Error!.Line.Should().Be(3);
    }

    private static IEnumerable<int> CaseIndexes() => Enumerable.Range(0, Cases.Length);
}
