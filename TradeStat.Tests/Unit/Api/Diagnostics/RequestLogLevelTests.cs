using Microsoft.Extensions.Logging;
using TradeStat.Api.Diagnostics;

namespace TradeStat.Tests.Unit.Api.Diagnostics;

/// <summary>Request log events carry a level that follows the outcome, so the default level shows what needs a look.</summary>
[TestFixture]
[Category("Unit")]
public sealed class RequestLogLevelTests
{
    [TestCase(200, 3.0, LogLevel.Debug)]
    [TestCase(204, 999.0, LogLevel.Debug)]
    [TestCase(304, 1.0, LogLevel.Debug)]
    [TestCase(400, 1.0, LogLevel.Information)]
    [TestCase(404, 1.0, LogLevel.Information)]
    [TestCase(413, 1.0, LogLevel.Information)]
    [TestCase(200, 1000.5, LogLevel.Warning)]
    [TestCase(404, 5000.0, LogLevel.Warning)]
    [TestCase(500, 1.0, LogLevel.Error)]
    [TestCase(503, 5000.0, LogLevel.Error)]
    public void The_level_follows_status_and_time(int status, double elapsedMs, LogLevel expected) =>
        RequestTelemetryMiddleware.Level(status, elapsedMs, slowMs: 1000).Should().Be(expected);

    [Test]
    public void Ordinary_successes_are_below_the_default_minimum_level() =>
        ((int)RequestTelemetryMiddleware.Level(200, 0.2, slowMs: 1000)).Should().BeLessThan((int)LogLevel.Information, "tens of thousands of reads a second must not each write a line");
}
