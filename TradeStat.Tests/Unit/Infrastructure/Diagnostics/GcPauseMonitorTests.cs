using TradeStat.Infrastructure.Diagnostics;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Unit.Infrastructure.Diagnostics;

[TestFixture]
[Category("Unit")]
public sealed class GcPauseMonitorTests
{
    [Test]
    public async Task A_forced_collection_is_seen_as_a_pause()
    {
        using var monitor = new GcPauseMonitor();

        // Runtime events arrive asynchronously: collect on every poll until the monitor has seen one.
        await Eventually.UntilAsync(
            () =>
            {
                GC.Collect(2, GCCollectionMode.Forced, blocking: true);
                return monitor.Pauses > 0;
            },
            TimeSpan.FromSeconds(20),
            "a forced collection seen by the monitor",
            interval: TimeSpan.FromMilliseconds(50));

        monitor.Pauses.Should().BeGreaterThan(0);
        monitor.MaxPause.Should().BeGreaterThan(TimeSpan.Zero).And.BeLessThan(TimeSpan.FromSeconds(5));
    }
}
