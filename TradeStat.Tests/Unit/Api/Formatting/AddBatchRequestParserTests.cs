using System.Buffers;
using System.Globalization;
using System.Text;
using TradeStat.Api.Formatting;

namespace TradeStat.Tests.Unit.Api.Formatting;

[TestFixture]
[Category("Unit")]
public sealed class AddBatchRequestParserTests
{
    [Test]
    public void A_valid_body_is_read_into_values_in_order()
    {
        var (ok, request, _) = Parse("""{"symbol":"AAPL","values":[1, 2.5, -3e2, 0.1, 1E-400, -0]}""");
        ok.Should().BeTrue();
        request!.Symbol.Should().Be("AAPL");
        request.ValueCount.Should().Be(6);
        request.Values.ToArray().Should().Equal(1, 2.5, -300, 0.1, 0, -0.0);
        double.IsNegative(request.Values.Span[5]).Should().BeTrue("-0 keeps its sign");
    }

    [Test]
    public void Member_order_unknown_members_and_whitespace_do_not_matter()
    {
        var (ok, request, _) = Parse(" \n{ \"values\" : [ 7 ] , \"extra\": {\"a\":[1,{}]}, \"symbol\" : \"X\" }\n ");
        ok.Should().BeTrue();
        request!.Symbol.Should().Be("X");
        request.Values.ToArray().Should().Equal(7);
    }

    [Test]
    public void Every_value_round_trips_exactly_as_double_Parse_reads_it()
    {
        var random = new Random(11);
        var values = Enumerable.Range(0, 2000).Select(_ => BitConverter.Int64BitsToDouble(random.NextInt64()))
            .Where(double.IsFinite).ToArray();
        var body = $$"""{"symbol":"R","values":[{{string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}}]}""";
        var (ok, request, _) = Parse(body);
        ok.Should().BeTrue();
        request!.Values.ToArray().Should().Equal(values);
    }

    [Test]
    public void Values_past_the_limit_are_counted_not_kept()
    {
        var body = $$"""{"symbol":"A","values":[{{string.Join(",", Enumerable.Repeat("1", 10_005))}}]}""";
        var (ok, request, _) = Parse(body);
        ok.Should().BeTrue();
        request!.ValueCount.Should().Be(10_005);
        request.Values.Length.Should().Be(10_000);
    }

    [TestCase("", "$", "empty")]
    [TestCase("[]", "$", "must be a JSON object")]
    [TestCase("42", "$", "must be a JSON object")]
    [TestCase("\"x\"", "$", "must be a JSON object")]
    [TestCase("{", "$", "not valid JSON")]
    [TestCase("{\"symbol\":\"A\",\"values\":[1,2", "$", "not valid JSON")]
    [TestCase("{\"symbol\":\"A\",\"values\":[1,]}", "$", "not valid JSON")]
    [TestCase("{\"symbol\":\"A\",\"values\":[NaN]}", "$", "not valid JSON")]
    [TestCase("{\"symbol\":\"A\",\"values\":[Infinity]}", "$", "not valid JSON")]
    [TestCase("{\"symbol\":\"A\",\"values\":[1]} trailing", "$", "not valid JSON")]
    [TestCase("{\"symbol\":\"A\",\"values\":[1]}{}", "$", "not valid JSON")]
    [TestCase("{\"symbol\":1,\"values\":[1]}", "symbol", "must be a string")]
    [TestCase("{\"symbol\":null,\"values\":[1]}", "symbol", "must be a string")]
    [TestCase("{\"symbol\":\"A\",\"symbol\":\"B\",\"values\":[1]}", "symbol", "more than once")]
    [TestCase("{\"symbol\":\"A\",\"values\":[1],\"values\":[2]}", "values", "more than once")]
    [TestCase("{\"symbol\":\"A\",\"values\":5}", "values", "must be an array")]
    [TestCase("{\"symbol\":\"A\",\"values\":null}", "values", "must be an array")]
    [TestCase("{\"symbol\":\"A\",\"values\":{}}", "values", "must be an array")]
    [TestCase("{\"symbol\":\"A\",\"values\":[1,\"2\"]}", "values[1]", "not a string")]
    [TestCase("{\"symbol\":\"A\",\"values\":[null]}", "values[0]", "not null")]
    [TestCase("{\"symbol\":\"A\",\"values\":[true]}", "values[0]", "not a boolean")]
    [TestCase("{\"symbol\":\"A\",\"values\":[[1]]}", "values[0]", "not an array")]
    [TestCase("{\"symbol\":\"A\",\"values\":[{}]}", "values[0]", "not an object")]
    [TestCase("{\"symbol\":\"A\",\"values\":[1,1e400]}", "values[1]", "outside the range")]
    [TestCase("{\"symbol\":\"A\",\"values\":[-1e309]}", "values[0]", "outside the range")]
    public void Malformed_bodies_are_rejected_with_the_member_at_fault(string body, string member, string message)
    {
        var (ok, request, error) = Parse(body);
        ok.Should().BeFalse();
        request.Should().BeNull();
        error.Member.Should().Be(member);
        error.Message.Should().Contain(message);
        error.Message.Should().NotContain("System.").And.NotContain("Exception");
    }

    [Test]
    public void Deep_nesting_in_unknown_members_is_refused_not_a_stack_overflow()
    {
        var body = "{\"x\":" + new string('[', 10_000) + new string(']', 10_000) + ",\"symbol\":\"A\",\"values\":[1]}";
        var (ok, _, error) = Parse(body);
        ok.Should().BeFalse();
        error.Message.Should().Contain("deeper than 16 levels").And.Contain("TradeStat:MaxJsonDepth");
    }

    [TestCase("[", "]", 15, true, null)] // 16 levels: the limit
    [TestCase("[", "]", 16, false, "deeper than 16 levels")]
    [TestCase("{\"a\":", "}", 16, false, "deeper than 16 levels")]
    [TestCase("[1, ", "]", 16, false, "deeper than 16 levels")]
    [TestCase("[", "]", 14, false, "not valid JSON")] // at the limit, but broken: not called too deep
    public void Nesting_past_the_limit_is_named_as_such_and_a_broken_body_at_the_limit_is_not(
        string open, string close, int levels, bool accepted, string? message)
    {
        var inner = levels == 14 ? "[}" : "1";
        var body = "{\"x\":" + string.Concat(Enumerable.Repeat(open, levels)) + inner + string.Concat(Enumerable.Repeat(close, levels))
            + ",\"symbol\":\"A\",\"values\":[1]}";

        var (ok, request, error) = Parse(body);

        ok.Should().Be(accepted);
        if (accepted)
        {
            request!.Dispose();
        }
        else
        {
            error.Message.Should().Contain(message);
        }
    }

    [Test]
    public void A_body_split_across_many_segments_parses_the_same()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"symbol":"SEG","values":[1.25,2.5,3.75,1e10]}""");
        var sequence = Segmented(bytes, 3);
        AddBatchRequestParser.TryParse(sequence, out var request, out _).Should().BeTrue();
        request!.Values.ToArray().Should().Equal(1.25, 2.5, 3.75, 1e10);
    }

    /// <summary>
    /// The fast path and the general reader agree on every body: valid bodies in many layouts, and random
    /// corruptions of them (same acceptance, same symbol and values, bit for bit).
    /// </summary>
    [Test]
    public void The_fast_path_and_the_general_reader_agree([Values(1, 2, 3, 4)] int seed)
    {
        var random = new Random(seed);
        string[] spaces = ["", " ", "\n", "\t ", "\r\n"];
        string Ws() => spaces[random.Next(spaces.Length)];
        byte[] noise = [.. "{}[],:\"\\-+.eE0123456789 nul\u00e9"u8, 0xFF, 0x00];
        for (var i = 0; i < 3_000; i++)
        {
            var values = Enumerable.Range(0, random.Next(0, 30)).Select(_ => random.Next(4) switch
            {
                0 => Math.Round(random.NextDouble() * 1000, 4).ToString("R", CultureInfo.InvariantCulture),
                1 => BitConverter.Int64BitsToDouble(random.NextInt64()).ToString("R", CultureInfo.InvariantCulture),
                2 => random.Next(-1000, 1000).ToString(CultureInfo.InvariantCulture),
                _ => $"{random.Next(1, 10)}.{random.Next(0, 1000)}e{random.Next(-330, 330)}",
            }).Where(v => !v.Contains('N') && !v.Contains('I')).ToList();
            var symbolMember = $"{Ws()}\"symbol\"{Ws()}:{Ws()}\"SYM{random.Next(100)}\"{Ws()}";
            var valuesMember = $"{Ws()}\"values\"{Ws()}:{Ws()}[{Ws()}{string.Join($"{Ws()},{Ws()}", values)}{Ws()}]{Ws()}";
            var body = random.Next(2) == 0 ? $"{Ws()}{{{symbolMember},{valuesMember}}}{Ws()}" : $"{{{valuesMember},{symbolMember}}}";
            var bytes = Encoding.UTF8.GetBytes(body).ToList();
            if (random.Next(3) == 0)
            {
                var at = random.Next(bytes.Count);
                if (random.Next(2) == 0)
                {
                    bytes[at] = noise[random.Next(noise.Length)];
                }
                else
                {
                    bytes.Insert(at, noise[random.Next(noise.Length)]);
                }
            }

            var sequence = new ReadOnlySequence<byte>(bytes.ToArray());
            var fastOk = AddBatchRequestParser.TryParse(sequence, allowFastPath: true, out var fast, out var fastError);
            var slowOk = AddBatchRequestParser.TryParse(sequence, allowFastPath: false, out var slow, out var slowError);
            var text = Encoding.UTF8.GetString([.. bytes]);
            fastOk.Should().Be(slowOk, text);
            if (fastOk)
            {
                fast!.Symbol.Should().Be(slow!.Symbol, text);
                fast.HasValues.Should().Be(slow.HasValues, text);
                fast.ValueCount.Should().Be(slow.ValueCount, text);
                fast.Values.ToArray().Select(BitConverter.DoubleToInt64Bits)
                    .Should().Equal(slow.Values.ToArray().Select(BitConverter.DoubleToInt64Bits), text);
            }
            else
            {
                fastError.Should().Be(slowError, text);
            }

            fast?.Dispose();
            slow?.Dispose();
        }
    }

    private static (bool Ok, TradeStat.Api.Requests.AddBatchRequest? Request, ParseError Error) Parse(string body)
    {
        var ok = AddBatchRequestParser.TryParse(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(body)), out var request, out var error);
        return (ok, request, error);
    }

    private static ReadOnlySequence<byte> Segmented(byte[] bytes, int size)
    {
        Segment? first = null, last = null;
        for (var i = 0; i < bytes.Length; i += size)
        {
            var chunk = bytes.AsMemory(i, Math.Min(size, bytes.Length - i));
            last = last is null ? first = new Segment(chunk, 0) : last.Append(chunk);
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
