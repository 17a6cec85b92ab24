using Serilog.Events;
using TradeStat.Api;

namespace TradeStat.Tests.Unit.Api;

/// <summary>Request log events carry a level that follows the outcome, so the default level shows what needs a look.</summary>
[TestFixture]
[Category("Unit")]
public sealed class RequestLogLevelTests
{
    [TestCase(200, 3.0, false, LogEventLevel.Debug)]
    [TestCase(204, 999.0, false, LogEventLevel.Debug)]
    [TestCase(304, 1.0, false, LogEventLevel.Debug)]
    [TestCase(400, 1.0, false, LogEventLevel.Information)]
    [TestCase(404, 1.0, false, LogEventLevel.Information)]
    [TestCase(413, 1.0, false, LogEventLevel.Information)]
    [TestCase(200, 1000.5, false, LogEventLevel.Warning)]
    [TestCase(404, 5000.0, false, LogEventLevel.Warning)]
    [TestCase(500, 1.0, false, LogEventLevel.Error)]
    [TestCase(503, 5000.0, false, LogEventLevel.Error)]
    [TestCase(200, 1.0, true, LogEventLevel.Error)]
    public void The_level_follows_status_time_and_exception(int status, double elapsedMs, bool failed, LogEventLevel expected)
    {
        var exception = failed ? new InvalidOperationException("boom") : null;

        DependencyInjection.RequestLogLevel(status, elapsedMs, exception, slowMs: 1000).Should().Be(expected);
    }

    [Test]
    public void Ordinary_successes_are_below_the_default_minimum_level()
    {
        var level = DependencyInjection.RequestLogLevel(200, 0.2, null, slowMs: 1000);

        ((int)level).Should().BeLessThan((int)LogEventLevel.Information, "tens of thousands of reads a second must not each write a line");
    }
}
