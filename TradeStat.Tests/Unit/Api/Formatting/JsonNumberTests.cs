using System.Globalization;
using System.Text;
using TradeStat.Api.Formatting;

namespace TradeStat.Tests.Unit.Api.Formatting;

[TestFixture]
[Category("Unit")]
public sealed class JsonNumberTests
{
    private static IEnumerable<string> Shapes(Random random)
    {
        string Digits(int n) => new([.. Enumerable.Range(0, n).Select(_ => (char)('0' + random.Next(10)))]);
        string Int() => random.Next(5) == 0 ? "0" : (char)('1' + random.Next(9)) + Digits(random.Next(0, 25));
        for (var i = 0; i < 20_000; i++)
        {
            var sign = random.Next(3) == 0 ? "-" : "";
            var frac = random.Next(2) == 0 ? "" : "." + Digits(random.Next(1, 25));
            var exp = random.Next(3) != 0 ? "" : (random.Next(2) == 0 ? "e" : "E") + (random.Next(3) switch { 0 => "+", 1 => "-", _ => "" }) + random.Next(0, 400);
            yield return sign + Int() + frac + exp;
        }

        // Shortest round-trip strings of arbitrary doubles, and prices.
        for (var i = 0; i < 20_000; i++)
        {
            var d = BitConverter.Int64BitsToDouble(random.NextInt64());
            if (double.IsFinite(d))
            {
                yield return d.ToString("R", CultureInfo.InvariantCulture);
            }

            yield return Math.Round(random.NextDouble() * 100_000, 4).ToString("R", CultureInfo.InvariantCulture);
        }
    }

    /// <summary>What may follow a number in a body: short and long tails, so no reader may depend on what comes after.</summary>
    private static readonly string[] Tails = [",", "]", ",1234567890123456789]", "]}                  ", ", 7.5, 8.25, 9]}"];

    [Test]
    public void Every_valid_number_reads_bit_identical_to_double_Parse([Values(1, 2, 3)] int seed, [ValueSource(nameof(Tails))] string tail)
    {
        foreach (var token in Shapes(new Random(seed)))
        {
            var bytes = Encoding.ASCII.GetBytes(token + tail);
            var expected = double.Parse(token, NumberStyles.Float, CultureInfo.InvariantCulture);
            var status = JsonNumber.TryRead(bytes, out var value, out var length);
            length.Should().Be(token.Length, token);
            if (double.IsFinite(expected))
            {
                status.Should().Be(JsonNumber.Status.Ok, token);
                BitConverter.DoubleToInt64Bits(value).Should().Be(BitConverter.DoubleToInt64Bits(expected), token);
            }
            else
            {
                status.Should().Be(JsonNumber.Status.OutOfRange, token);
            }
        }
    }

    [TestCase("9007199254740993")]      // 2^53 + 1: beyond the fast path, rounds to even
    [TestCase("0.1")]
    [TestCase("123.4567")]
    [TestCase("1e22")]
    [TestCase("1e23")]
    [TestCase("4.9e-324")]
    [TestCase("2.4703282292062328e-324")] // halfway to the smallest subnormal
    [TestCase("1.7976931348623157e308")]
    [TestCase("-0.0")]
    [TestCase("0.000000000000000000000000000001")]
    [TestCase("100000000000000000000000000000000000000000000000")]
    [TestCase("0.0000000000000000000001")]
    [TestCase("0.00000000000000000000000000000000000000000000000000000000000000000000000000001")]
    [TestCase("12345678901234567890123")]
    [TestCase("1234567890123456789.0000001")]
    [TestCase("18446744073709551616")]    // 2^64: a wrapped 64-bit mantissa would read 0
    [TestCase("36893488147419103232.5")]  // 2^65 + 0.5
    [TestCase("-0.00000000000000000000000")]
    [TestCase("1234567890123456789")]     // 19 digits: the last that the digit loops convert themselves
    [TestCase("1234567.1234567")]
    [TestCase("12345678.5")]
    [TestCase("0.12345678")]
    [TestCase("-0.0000000")]
    [TestCase("9999999.9999999")]
    public void Hard_cases_match_double_Parse(string token)
    {
        foreach (var tail in Tails)
        {
            JsonNumber.TryRead(Encoding.ASCII.GetBytes(token + tail), out var value, out var length).Should().Be(JsonNumber.Status.Ok);
            length.Should().Be(token.Length);
            BitConverter.DoubleToInt64Bits(value).Should().Be(BitConverter.DoubleToInt64Bits(double.Parse(token, CultureInfo.InvariantCulture)), token + tail);
        }
    }

    [TestCase("-", 1)]
    [TestCase("+1", 0)]
    [TestCase(".5", 0)]
    [TestCase("1.", 2)]
    [TestCase("1.e5", 2)]
    [TestCase("1e", 2)]
    [TestCase("1e+", 3)]
    [TestCase("NaN", 0)]
    [TestCase("Infinity", 0)]
    [TestCase("", 0)]
    [TestCase("-x", 1)]
    [TestCase("- 1", 1)]
    [TestCase("1.,", 2)]
    public void Malformed_numbers_are_refused(string token, int length)
    {
        foreach (var tail in new[] { "", " ", "                    " })
        {
            JsonNumber.TryRead(Encoding.ASCII.GetBytes(token + tail), out _, out var read).Should().Be(JsonNumber.Status.Malformed, token + tail);
            read.Should().Be(length);
        }
    }

    [TestCase("01", 1)]   // a number "0" followed by "1": the caller sees the stray digit
    [TestCase("0012.5", 1)]
    [TestCase("1x", 1)]
    [TestCase("1.5.5", 3)]
    [TestCase("12:", 2)]
    [TestCase("12/", 2)]
    [TestCase("1.5e", 3)] // malformed exponent: see below
    public void A_number_ends_where_the_grammar_ends(string token, int length)
    {
        foreach (var tail in new[] { "", "                    " })
        {
            var status = JsonNumber.TryRead(Encoding.ASCII.GetBytes(token + tail), out _, out var read);
            if (token.EndsWith('e'))
            {
                status.Should().Be(JsonNumber.Status.Malformed, token + tail);
                read.Should().Be(token.Length);
            }
            else
            {
                status.Should().Be(JsonNumber.Status.Ok, token + tail);
                read.Should().Be(length, token + tail);
            }
        }
    }

    [TestCase("1e400")]
    [TestCase("-1e309")]
    public void Numbers_beyond_a_double_are_out_of_range(string token) =>
        JsonNumber.TryRead(Encoding.ASCII.GetBytes(token), out _, out _).Should().Be(JsonNumber.Status.OutOfRange);
}
