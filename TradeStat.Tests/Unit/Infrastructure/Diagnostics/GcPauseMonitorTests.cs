using TradeStat.Infrastructure.Diagnostics;

namespace TradeStat.Tests.Unit.Infrastructure.Diagnostics;

[TestFixture]
[Category("Unit")]
public sealed class GcPauseMonitorTests
{
    [Test]
    public void A_forced_collection_is_seen_as_a_pause()
    {
        using var monitor = new GcPauseMonitor();

        // Runtime events arrive asynchronously: collect until one is seen, bounded in count and time.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        for (var i = 0; i < 200 && monitor.Pauses == 0 && DateTime.UtcNow < deadline; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true);
            Thread.Sleep(50);
        }

        monitor.Pauses.Should().BeGreaterThan(0);
        monitor.MaxPause.Should().BeGreaterThan(TimeSpan.Zero).And.BeLessThan(TimeSpan.FromSeconds(5));
    }
}
