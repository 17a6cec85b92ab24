using System.Globalization;
using System.Text.Json;
using FluentAssertions.Execution;

namespace TradeStat.Tests.Support;

/// <summary>Body of a 200 from POST /add_batch/.</summary>
public sealed record AddBatchResult(string Symbol, int Added, long Count)
{
    /// <summary>Parses the body, asserting it has exactly the contract's members.</summary>
    public static AddBatchResult Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        root.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(["symbol", "added", "count"], json);
        return new AddBatchResult(
            root.GetProperty("symbol").GetString()!,
            root.GetProperty("added").GetInt32(),
            root.GetProperty("count").GetInt64());
    }
}

/// <summary>Body of a 200 from GET /stats/.</summary>
public sealed record StatsResult(string Symbol, int K, long Count, double Min, double Max, double Last, double Avg, double Var)
{
    /// <summary>The exact member names of the contract.</summary>
    public static readonly string[] MemberNames = ["symbol", "k", "count", "min", "max", "last", "avg", "var"];

    /// <summary>
    /// Parses the body, asserting it has exactly the contract's members; numbers are read from their JSON text
    /// with <see cref="double.Parse(string, IFormatProvider)"/>, which keeps the sign of <c>-0</c>.
    /// </summary>
    public static StatsResult Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        root.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(MemberNames, json);

        double Number(string name) => double.Parse(root.GetProperty(name).GetRawText(), CultureInfo.InvariantCulture);
        return new StatsResult(
            root.GetProperty("symbol").GetString()!,
            root.GetProperty("k").GetInt32(),
            root.GetProperty("count").GetInt64(),
            Number("min"),
            Number("max"),
            Number("last"),
            Number("avg"),
            Number("var"));
    }
}

/// <summary>Checks a stats answer against the window of everything sent, computed naively.</summary>
public static class StatsReference
{
    /// <summary>
    /// Asserts count, min, max and last exactly, and avg and var to within 1e-15 relative error of the exact
    /// rational result (<see cref="ExactStats"/>), over the last 10^k of <paramref name="sent"/>.
    /// </summary>
    public static void ShouldMatchWindowOf(this StatsResult actual, IReadOnlyList<double> sent, int k)
    {
        var length = (int)Math.Min(sent.Count, Math.Pow(10, k));
        var window = sent.Skip(sent.Count - length).ToArray();
        var (mean, variance) = ExactStats.Compute(window);
        using (new AssertionScope($"k={k}"))
        {
            actual.K.Should().Be(k);
            actual.Count.Should().Be(window.Length);
            actual.Min.Should().Be(window.Min());
            actual.Max.Should().Be(window.Max());
            actual.Last.Should().Be(window[^1]);
            ExactStats.RelativeError(actual.Avg, mean).Should().BeLessThanOrEqualTo(1e-15, "avg");
            ExactStats.RelativeError(actual.Var, variance).Should().BeLessThanOrEqualTo(1e-15, "var");
        }
    }
}
