using System.ComponentModel.DataAnnotations;

namespace TradeStat.Api.Dashboard;

/// <summary>Settings of the dashboard at <c>/</c> (section <c>Dashboard</c>).</summary>
public sealed class DashboardOptions
{
    public const string SectionName = "Dashboard";

    /// <summary>The dashboard's page, files and live streams; off, <c>/</c> and <c>/dashboard/…</c> answer 404.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How often each view looks for changes and sends them to every open dashboard (one update at most per interval);
    /// the lower bound keeps each view at two updates a second at most.
    /// </summary>
    [Range(500, 60_000, ErrorMessage = SectionName + ":{0} must be between {1} and {2} milliseconds.")]
    public int UpdateIntervalMilliseconds { get; set; } = 500;

    /// <summary>A view with no change sends a heartbeat this often, so that a page can tell a quiet service from a lost one.</summary>
    [Range(1, 300, ErrorMessage = SectionName + ":{0} must be between {1} and {2} seconds.")]
    public int HeartbeatSeconds { get; set; } = 5;

    /// <summary>
    /// Updates an open dashboard may fall behind by before its stream is closed (the page reconnects and starts from a
    /// fresh snapshot), so that a stalled reader holds no more than this.
    /// </summary>
    [Range(1, 1_000, ErrorMessage = SectionName + ":{0} must be between {1} and {2}.")]
    public int MaxPendingUpdates { get; set; } = 16;
}
