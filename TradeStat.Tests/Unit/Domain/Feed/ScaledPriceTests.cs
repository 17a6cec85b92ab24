using System.Text;
using TradeStat.Domain.Feed;

namespace TradeStat.Tests.Unit.Domain.Feed;

[TestFixture]
[Category("Unit")]
public sealed class ScaledPriceTests
{
    [TestCase("61666.19000000", 6_166_619_000_000L)]
    [TestCase("0.00000001", 1L)]
    [TestCase("0", 0L)]
    [TestCase("12", 1_200_000_000L)]
    [TestCase("1.5", 150_000_000L)]
    [TestCase(".5", 50_000_000L)]
    [TestCase("3.1234567800000", 312_345_678L)]
    [TestCase("0.00000000", 0L)]
    [TestCase("46116860184", 4_611_686_018_400_000_000L)]
    [TestCase("46116860184.27387903", ScaledPrice.MaxUnits)]
    public void Parses_exactly(string text, long units)
    {
        ScaledPrice.TryParse(Encoding.UTF8.GetBytes(text), out var parsed).Should().Be(ScaledPrice.ParseError.None);
        parsed.Should().Be(units);
    }

    [TestCase("", ScaledPrice.ParseError.Syntax)]
    [TestCase(".", ScaledPrice.ParseError.Syntax)]
    [TestCase("-1", ScaledPrice.ParseError.Syntax)]
    [TestCase("1e5", ScaledPrice.ParseError.Syntax)]
    [TestCase("1.2.3", ScaledPrice.ParseError.Syntax)]
    [TestCase("0.000000001", ScaledPrice.ParseError.TooManyDecimals)]
    [TestCase("46116860184.27387904", ScaledPrice.ParseError.Overflow)]
    [TestCase("99999999999999999999999", ScaledPrice.ParseError.Overflow)]
    [TestCase("200000000000", ScaledPrice.ParseError.Overflow)]
    [TestCase("461168601849.00000000", ScaledPrice.ParseError.Overflow)]
    [TestCase("184467440738", ScaledPrice.ParseError.Overflow)]
    [TestCase("+1", ScaledPrice.ParseError.Syntax)]
    public void Refuses_what_it_cannot_keep_exactly(string text, ScaledPrice.ParseError error) =>
        ScaledPrice.TryParse(Encoding.UTF8.GetBytes(text), out _).Should().Be(error);

    [TestCase(6_166_619_000_000L * 2, "61666.19")]
    [TestCase((6_166_619_000_000L * 2) + 1, "61666.190000005")]
    [TestCase(2L, "0.00000001")]
    [TestCase(1L, "0.000000005")]
    [TestCase(0L, "0")]
    [TestCase(200_000_000L, "1")]
    public void Formats_the_shortest_exact_decimal(long halfUnits, string text) =>
        ScaledPrice.FormatHalf(halfUnits).Should().Be(text);

    [Test]
    public void Round_trips_random_prices([Values(1, 2, 3)] int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < 10_000; i++)
        {
            var units = random.NextInt64(0, ScaledPrice.MaxUnits);
            var text = ScaledPrice.Format(units);
            ScaledPrice.Parse(text).Should().Be(units);
            decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture).Should().Be(ScaledPrice.ToDecimal(units * 2));
        }
    }
}
