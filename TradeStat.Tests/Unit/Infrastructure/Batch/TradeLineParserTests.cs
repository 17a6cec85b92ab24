using System.Buffers;
using System.Runtime.Intrinsics;
using System.Text;
using TradeStat.Infrastructure.Batch;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Unit.Infrastructure.Batch;

/// <summary>
/// The two-lines-at-once path of <see cref="TradeLineParser"/> (AVX-512 VBMI2) against the line-by-line path, which the
/// reader tests hold to the naive reference: on lines built to sit on every edge of the fast path (field widths at
/// and past its limits, zeros, unknown and other-length symbols, CR LF, malformed and decreasing lines, a region that
/// ends before the bytes in memory do), both must read exactly the same. (Without AVX-512 VBMI2 both runs take the
/// one-line path.)
/// </summary>
[TestFixture]
[Category("Unit")]
public sealed class TradeLineParserTests
{
    [Test]
    public void The_sample_is_read_two_lines_at_a_time_where_the_cpu_can()
    {
        var reading = Read(Encoding.ASCII.GetBytes(TradeInputs.Sample), skipInvalid: false, twoLines: true);
        reading.Output.Should().Be(TradeInputs.SampleOutput);
        reading.Lines.Should().Be(8);
    }

    [TestCase("52924702000,aaa,13,1136\n52924703000,aab,20,477\n", 52924702000L, 13L, 1136L, 52924703000L, 20L, 477L)]
    [TestCase("1000000000000000,aaa,12345678,12345678\n1000000000000001,aaa,1,1\n", 1000000000000000L, 12345678L, 12345678L, 1000000000000001L, 1L, 1L)]
    [TestCase("9999999999999999,aab,00000007,09\n9999999999999999,aaa,9999999,1\n", 9999999999999999L, 7L, 9L, 9999999999999999L, 9999999L, 1L)]
    [TestCase("0,aaa,1,1\n0,aaa,1,1\n", 0L, 1L, 1L, 0L, 1L, 1L)]
    public unsafe void A_pair_in_the_fast_shape_is_read_at_once(string pair, long t1, long q1, long p1, long t2, long q2, long p2)
    {
        IgnoreWithoutTwoLines();
        var buffer = Padded(pair);
        fixed (byte* p = buffer)
        {
            TradeLineParser.TryParseTwo(p, out var timestamps, out var numbers, out var first, out var second, out var length)
                .Should().BeTrue();
            ((long)timestamps.ToScalar(), (long)numbers.GetElement(4), (long)numbers.GetElement(5)).Should().Be((t1, q1, p1));
            ((long)timestamps.GetElement(4), (long)numbers.GetElement(12), (long)numbers.GetElement(13)).Should().Be((t2, q2, p2));
            length.Should().Be(pair.Length);
            first.Should().Be(SymbolWord(pair.Substring(pair.IndexOf(',') + 1, 3)));
            second.Should().Be(SymbolWord(pair.Substring(pair.IndexOf(',', pair.IndexOf('\n')) + 1, 3)));
        }
    }

    [TestCase(",aaa,5,6\n1,aaa,5,6\n", TestName = "An empty timestamp")]
    [TestCase("12345678901234567,aaa,1,1\n1,aaa,5,6\n", TestName = "A timestamp of 17 digits")]
    [TestCase("1,aaa,123456789,1\n1,aaa,5,6\n", TestName = "A quantity of 9 digits")]
    [TestCase("1,aaa,1,123456789\n1,aaa,5,6\n", TestName = "A price of 9 digits")]
    [TestCase("1,aaa,,1\n1,aaa,5,6\n", TestName = "An empty quantity")]
    [TestCase("1,aaa,0,1\n1,aaa,5,6\n", TestName = "A quantity of 0")]
    [TestCase("1,aaa,5,6\n1,aaa,5,00000000\n", TestName = "A price of 0 in the second line")]
    [TestCase("1,aaa,5,6\r\n1,aaa,5,6\n", TestName = "A CR LF line end")]
    [TestCase("1,aaa,5 ,6\n1,aaa,5,6\n", TestName = "A space in a quantity")]
    [TestCase("1,aaa,5,6\n1:,aaa,5,6\n", TestName = "A colon in a timestamp")]
    [TestCase("1,aaa,5,6\n1,aaa,5,/6\n", TestName = "A slash in a price")]
    [TestCase("1,aaa,5,6\n1,aaa,5,+6\n", TestName = "A plus sign in a price")]
    [TestCase("1,aaa,5,\u00006\n1,aaa,5,6\n", TestName = "A NUL byte in a price")]
    [TestCase("1,aa,5,6\n1,aaa,5,6\n", TestName = "A two-byte symbol")]
    [TestCase("1,aaaa,5,6\n1,aaa,5,6\n", TestName = "A four-byte symbol")]
    [TestCase("1,aaa,5,6,7\n1,aaa,5,6\n", TestName = "A fifth field")]
    [TestCase("9999999999999999,aab,00000007,09\n9999999999999999,aaa,99999999,1\n", TestName = "A second line that ends past the 64 bytes")]
    [TestCase("1,aaa,5,6\n\n1,aaa,5,6\n", TestName = "An empty line")]
    public unsafe void Anything_outside_the_fast_shape_is_left_to_the_one_line_path(string pair)
    {
        IgnoreWithoutTwoLines();
        var buffer = Padded(pair);
        fixed (byte* p = buffer)
        {
            TradeLineParser.TryParseTwo(p, out _, out _, out _, out _, out _).Should().BeFalse();
        }
    }

    [Test]
    public void Two_lines_at_once_read_exactly_what_one_line_at_a_time_reads([Range(1, 60)] int seed, [Values] bool skipInvalid)
    {
        var random = new Random(seed);
        var bytes = Encoding.ASCII.GetBytes(EdgeLines(random, random.Next(1, 600), invalidEvery: seed % 4 == 0 ? 0 : random.Next(5, 80)));
        // The region ends at a line end, but the buffer may hold more lines after it (as the reader's does).
        var regionEnd = RegionEnd(bytes, random);

        var pairs = Read(bytes, skipInvalid, twoLines: true, regionEnd);
        var single = Read(bytes, skipInvalid, twoLines: false, regionEnd);

        pairs.Should().BeEquivalentTo(single);
    }

    [Test]
    public void Valid_edge_lines_match_the_naive_reference([Range(1, 20)] int seed)
    {
        var random = new Random(seed);
        var text = EdgeLines(random, random.Next(1, 800), invalidEvery: 0);
        var reading = Read(Encoding.ASCII.GetBytes(text), skipInvalid: false, twoLines: true);

        reading.Error.Should().BeNull();
        reading.Output.Should().Be(NaiveTrades.Analyze(text).Output);
    }

    public sealed record Reading(string Output, long Lines, long Accepted, long InvalidLines, long FirstInvalidLine,
        string? Error, bool Stopped, long FirstTimestamp, long LastTimestamp);

    private static unsafe Reading Read(byte[] bytes, bool skipInvalid, bool twoLines, int? regionEnd = null)
    {
        var length = regionEnd ?? bytes.Length;
        var buffer = new byte[bytes.Length + TradeLineParser.Padding];
        bytes.CopyTo(buffer, 0);
        var symbols = new SymbolTable();
        var chunk = new CsvChunk<ReportMetrics>();
        chunk.Reset();
        fixed (byte* start = buffer)
        {
            TradeLineParser.Parse(start, start + length, chunk, symbols, skipInvalid, twoLines);
        }

        var output = new ArrayBufferWriter<byte>();
        chunk.Trades.WriteCsv(symbols, output);
        return new Reading(Encoding.ASCII.GetString(output.WrittenSpan), chunk.Lines, chunk.Accepted, chunk.InvalidLines,
            chunk.FirstInvalidLine, chunk.FirstInvalidReason, chunk.Stopped,
            chunk.Accepted > 0 ? chunk.FirstTimestamp : 0, chunk.Accepted > 0 ? chunk.LastTimestamp : 0);
    }

    // The two-line reader is only called where the CPU has what it needs (CI also runs these tests with the hardware
    // intrinsics off).
    private static void IgnoreWithoutTwoLines()
    {
        if (!TradeLineParser.TwoLinesSupported)
        {
            Assert.Ignore("This CPU (or runtime setting) has no AVX-512 VBMI2: the two-line path is not used.");
        }
    }

    // A three-byte symbol and its comma as the reader loads them (little-endian).
    private static uint SymbolWord(string symbol) => symbol[0] | ((uint)symbol[1] << 8) | ((uint)symbol[2] << 16) | ((uint)',' << 24);

    // The text's bytes, then readable padding up to 64 bytes past its start (as the reader's buffers have), all '9'
    // so that nothing after the text looks like a separator.
    private static byte[] Padded(string text)
    {
        var bytes = Encoding.Latin1.GetBytes(text);
        var buffer = new byte[Math.Max(bytes.Length, 64) + TradeLineParser.Padding];
        buffer.AsSpan().Fill((byte)'9');
        bytes.CopyTo(buffer, 0);
        return buffer;
    }

    // A line end at random (the last one most of the time).
    private static int RegionEnd(byte[] bytes, Random random)
    {
        if (bytes.Length == 0 || random.Next(3) == 0)
        {
            return bytes.Length;
        }

        var cut = random.Next(bytes.Length);
        while (bytes[cut] != (byte)'\n')
        {
            cut++;
        }

        return cut + 1;
    }

    // Lines whose fields sit on the fast path's limits and just past them: timestamps of 1–19 digits, quantities and
    // prices of 1–10 digits (leading zeros, zero), three-byte symbols known and new, symbols of 1–8 bytes, three-byte
    // symbols whose letter keys collide (upper and lower case, '@' and '`') or that are no letter symbols (a digit, a
    // space), CR LF; with invalidEvery > 0, about one line in invalidEvery malformed or out of time order.
    private static string EdgeLines(Random random, int count, int invalidEvery)
    {
        string[] common = ["aaa", "abc", "xyz", "qqq", "zzz", "ABC", "aBc", "@@@", "```", "a1c"];
        var text = new StringBuilder();
        // Microseconds since midnight from 09:30 on (11 digits, as real inputs have) or small ones.
        var time = random.Next(2) == 0 ? 34_200_000_000L + random.Next(0, 1_000_000) : random.Next(0, 1000);
        for (var i = 0; i < count; i++)
        {
            time += random.Next(0, 3) == 0 ? 0 : random.Next(1, 5000);
            var timestamp = random.Next(10) == 0 ? Widen(time, random.Next(1, 20), random) : time.ToString();
            if (random.Next(40) == 0)
            {
                time = Math.Max(time, (long)(random.NextDouble() * 9e18)); // mostly 17–19 digits: past the 16-digit lanes
                timestamp = time.ToString();
            }

            var symbol = random.Next(7) switch
            {
                0 => Letters(random, random.Next(1, 9)),
                1 => Letters(random, 3),
                2 => Colliding(random),
                _ => common[random.Next(common.Length)],
            };
            var line = $"{timestamp},{symbol},{Number(random)},{Number(random)}";
            if (invalidEvery > 0 && random.Next(invalidEvery) == 0)
            {
                line = random.Next(12) switch
                {
                    9 => $",{symbol},{Number(random)},{Number(random)}",
                    10 => $"{timestamp},{symbol},{Number(random)}{" :/+\0".Substring(random.Next(5), 1)},{Number(random)}",
                    11 => $"{timestamp},{symbol},{Number(random)},{(char)random.Next(0x21, 0x30)}{Number(random)}",
                    0 => line.Replace(",", ",,", StringComparison.Ordinal),
                    1 => line + ",7",
                    2 => $"{timestamp},{symbol},{Number(random)}",
                    3 => line.Replace(symbol + ",", symbol + " ", StringComparison.Ordinal),
                    4 => $"{Math.Max(0, time - random.Next(1, 100))},{symbol},1,1",
                    5 => "",
                    6 => $"{timestamp},{symbol},1a,2",
                    7 => $"{timestamp},{symbol},0,5",
                    _ => $"{timestamp},{symbol},5,00",
                };
            }

            text.Append(line).Append(random.Next(12) == 0 ? "\r\n" : "\n");
        }

        return text.ToString();
    }

    // The timestamp written with leading zeros up to `digits` digits (the same value), or as is when it is longer.
    private static string Widen(long time, int digits, Random random)
    {
        var plain = time.ToString();
        return random.Next(2) == 0 && plain.Length < digits ? plain.PadLeft(digits, '0') : plain;
    }

    private static string Number(Random random) => random.Next(8) switch
    {
        0 => new string('9', random.Next(7, 11)),                          // 7–10 digits: at and past the 8-digit lanes
        1 => "0" + random.Next(1, 1000),                                   // a leading zero
        2 => random.Next(1, 100_000_000).ToString().PadLeft(8, '0'),      // exactly 8 digits
        _ => random.Next(1, 5000).ToString(),
    };

    // Three bytes from a few whose letter keys collide ('a', 'A', 'b', 'B', '@', '`') or that are no letter bytes
    // ('1', ' ', '~' is one).
    private static string Colliding(Random random)
    {
        const string bytes = "aAbB@`1 ~";
        return new string([bytes[random.Next(bytes.Length)], bytes[random.Next(bytes.Length)], bytes[random.Next(bytes.Length)]]);
    }

    private static string Letters(Random random, int length)
    {
        var letters = new char[length];
        for (var i = 0; i < length; i++)
        {
            letters[i] = (char)('a' + random.Next(26));
        }

        return new string(letters);
    }
}
