using System.ComponentModel.DataAnnotations;
using TradeStat.Domain.Series;

namespace TradeStat.Infrastructure.Diagnostics;

/// <summary>Operator settings of <see cref="GcPauseMonitor"/> (section <c>TradeStat</c>).</summary>
public sealed class GcPauseOptions
{
    /// <summary>The default of <see cref="GcPauseWarningMs"/>.</summary>
    public const int DefaultWarningMs = 50;

    /// <summary>A garbage-collection pause longer than this is logged as a warning (0 turns the monitor off).</summary>
    [Range(0, 60_000, ErrorMessage = SeriesOptions.SectionName + ":{0} must be between {1} and {2} milliseconds (0 turns the monitor off).")]
    public int GcPauseWarningMs { get; set; } = DefaultWarningMs;

    /// <summary>False when the threshold is 0: no monitor runs and no runtime events are listened to.</summary>
    public bool Enabled => GcPauseWarningMs > 0;
}
