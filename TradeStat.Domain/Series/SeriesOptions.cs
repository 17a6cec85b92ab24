using System.ComponentModel.DataAnnotations;

namespace TradeStat.Domain.Series;

/// <summary>Operator settings of the series engine, bound from the <c>TradeStat</c> configuration section.</summary>
public sealed class SeriesOptions
{
    /// <summary>The service's configuration section, shared by the series engine, the host and the diagnostics.</summary>
    public const string SectionName = "TradeStat";

    /// <summary>Most symbols held at once; each full symbol holds 10^<see cref="SeriesLimits.MaxK"/> values, so this bounds the memory.</summary>
    [Range(1, 1_000, ErrorMessage = SectionName + ":{0} must be between {1} and {2}.")]
    public int MaxSymbols { get; set; } = 10;
}
