using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moq;
using TradeStat.Api;
using TradeStat.Api.Diagnostics;
using TradeStat.Domain.Series;

namespace TradeStat.Tests.Unit.Api.Diagnostics;

/// <summary>The request's log event as the middleware writes it, for successes, client errors, slow requests and failures.</summary>
[TestFixture]
[Category("Unit")]
public sealed class RequestTelemetryMiddlewareTests
{
    [Test]
    public async Task An_ordinary_success_is_written_at_debug_only()
    {
        var logger = new RecordingLogger();

        await Invoke(logger, context => { context.Response.StatusCode = 200; return Task.CompletedTask; });

        logger.Events.Should().ContainSingle().Which.Level.Should().Be(LogLevel.Debug);
        logger.Events[0].Message.Should().Be("HTTP GET /stats/ responded 200 in " + logger.Events[0].Message.Split(" in ")[1]);
    }

    [Test]
    public async Task A_client_error_is_information_and_a_server_error_is_error()
    {
        var logger = new RecordingLogger();

        await Invoke(logger, context => { context.Response.StatusCode = 404; return Task.CompletedTask; });
        await Invoke(logger, context => { context.Response.StatusCode = 503; return Task.CompletedTask; });

        logger.Events.Select(e => e.Level).Should().Equal(LogLevel.Information, LogLevel.Error);
        logger.Events[1].Message.Should().Contain("responded 503");
    }

    [Test]
    public async Task A_slow_request_is_a_warning_unless_the_threshold_is_zero()
    {
        var logger = new RecordingLogger();
        static async Task Slow(HttpContext context) => await Task.Delay(30);

        await Invoke(logger, Slow, slowMs: 5);
        await Invoke(logger, Slow, slowMs: 0);

        logger.Events.Select(e => e.Level).Should().Equal(LogLevel.Warning, LogLevel.Debug);
    }

    [Test]
    public async Task An_exception_that_escapes_is_logged_as_a_500_error_with_the_exception_and_rethrown()
    {
        var logger = new RecordingLogger();
        var boom = new InvalidOperationException("boom");

        var act = () => Invoke(logger, _ => throw boom);

        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(boom);
        var logged = logger.Events.Should().ContainSingle().Subject;
        logged.Level.Should().Be(LogLevel.Error);
        logged.Exception.Should().BeSameAs(boom);
        logged.Message.Should().Contain("responded 500");
    }

    private static async Task Invoke(RecordingLogger logger, RequestDelegate next, double slowMs = 1000)
    {
        using var metrics = new ServiceMetrics(Mock.Of<ISymbolSeriesStore>());
        var options = Options.Create(new ApiOptions { Metrics = false, RequestLogging = true, SlowRequestMilliseconds = slowMs });
        var middleware = new RequestTelemetryMiddleware(next, metrics, logger, options);
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = "/stats/";
        await middleware.InvokeAsync(context);
    }

    private sealed class RecordingLogger : ILogger<RequestTelemetryMiddleware>
    {
        public List<(LogLevel Level, string Message, Exception? Exception)> Events { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Events.Add((logLevel, formatter(state, exception), exception));
    }
}
