using TradeStat.Api.Requests;
using TradeStat.Api.Validation;

namespace TradeStat.Tests.Unit.Api.Validation;

[TestFixture]
[Category("Unit")]
public sealed class ValidatorTests
{
    private readonly AddBatchRequestValidator _batch = new();
    private readonly StatsQueryValidator _stats = new();

    [TestCase("AAPL")]
    [TestCase("btc-usd")]
    [TestCase("X")]
    [TestCase("a.b_c-d:e/f")]
    [TestCase("12345678901234567890123456789012")]
    public void Valid_symbols_pass(string symbol)
    {
        _batch.Validate(Request(symbol, 1)).IsValid.Should().BeTrue();
        _stats.Validate(new StatsQuery { Symbol = symbol, K = "1" }).IsValid.Should().BeTrue();
    }

    [TestCase(null, "\"symbol\" is required.")]
    [TestCase("", "\"symbol\" is required.")]
    [TestCase("   ", "\"symbol\" is required.")]
    [TestCase("with space", "\"symbol\" must be 1 to 32 characters")]
    [TestCase("émoji", "\"symbol\" must be 1 to 32 characters")]
    [TestCase("123456789012345678901234567890123", "\"symbol\" must be 1 to 32 characters")]
    public void Invalid_symbols_fail_with_a_clear_message(string? symbol, string message)
    {
        var result = _batch.Validate(Request(symbol, 1));
        result.IsValid.Should().BeFalse();
        result.Errors.Should().ContainSingle(e => e.PropertyName == "symbol").Which.ErrorMessage.Should().StartWith(message);
    }

    [TestCase(0)]
    [TestCase(10_001)]
    [TestCase(1_000_000)]
    public void Value_counts_outside_1_to_10000_fail(int count)
    {
        var result = _batch.Validate(Request("A", count));
        result.Errors.Should().ContainSingle(e => e.PropertyName == "values")
            .Which.ErrorMessage.Should().Contain($"it holds {count}");
    }

    [TestCase(1)]
    [TestCase(10_000)]
    public void Value_counts_inside_the_limit_pass(int count) =>
        _batch.Validate(Request("A", count)).IsValid.Should().BeTrue();

    [Test]
    public void Missing_values_fail()
    {
        var result = _batch.Validate(AddBatchRequest.Create("A", hasValues: false, 0, null));
        result.Errors.Should().ContainSingle(e => e.PropertyName == "values").Which.ErrorMessage.Should().Contain("required");
    }

    [TestCase("1", true)]
    [TestCase("8", true)]
    [TestCase("0", false)]
    [TestCase("9", false)]
    [TestCase("-1", false)]
    [TestCase("+1", false)]
    [TestCase("1.5", false)]
    [TestCase("1e0", false)]
    [TestCase("abc", false)]
    [TestCase("", false)]
    [TestCase(" 1", false)]
    [TestCase("01", true)]
    [TestCase("008", true)]
    [TestCase("100000000000", false)]
    [TestCase(null, false)]
    public void K_must_be_a_plain_integer_from_1_to_8(string? k, bool valid)
    {
        var result = _stats.Validate(new StatsQuery { Symbol = "A", K = k });
        result.IsValid.Should().Be(valid);
        if (!valid)
        {
            result.Errors.Should().ContainSingle(e => e.PropertyName == "k")
                .Which.ErrorMessage.Should().Be("\"k\" must be an integer from 1 to 8.");
        }
    }

    private static AddBatchRequest Request(string? symbol, int count) =>
        AddBatchRequest.Create(symbol, hasValues: true, count, new double[Math.Min(count, 10_000)]);
}
