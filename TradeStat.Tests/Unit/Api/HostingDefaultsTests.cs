using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using TradeStat.Api;

namespace TradeStat.Tests.Unit.Api;

/// <summary>The defaults the service ships with in code: its content root and its log levels.</summary>
[TestFixture]
[Category("Unit")]
public sealed class HostingDefaultsTests
{
    [Test]
    public void Without_a_content_root_on_the_command_line_the_application_directory_is_the_content_root()
    {
        var options = HostingExtensions.StartOptions(["--urls", "http://127.0.0.1:9000"]);

        options.ContentRootPath.Should().Be(AppContext.BaseDirectory);
        options.Args.Should().Equal("--urls", "http://127.0.0.1:9000");
    }

    [TestCase("--contentRoot", "/srv/tradestat")]
    [TestCase("--contentRoot=/srv/tradestat")]
    [TestCase("--CONTENTROOT", "/srv/tradestat")]
    public void A_content_root_on_the_command_line_is_left_to_the_host(params string[] args)
    {
        // Any value set here would override the command line (WebApplicationOptions win over every source).
        HostingExtensions.StartOptions(args).ContentRootPath.Should().BeNull();
    }

    [TestCase("Microsoft.AspNetCore.Routing.EndpointMiddleware", LogEventLevel.Information, false)]
    [TestCase("Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker", LogEventLevel.Information, false)]
    [TestCase("Microsoft.AspNetCore.Server.Kestrel", LogEventLevel.Warning, true)]
    [TestCase("Microsoft.Hosting.Lifetime", LogEventLevel.Information, true)]
    [TestCase("System.Net.Http.HttpClient.exchange.LogicalHandler", LogEventLevel.Information, false)]
    [TestCase("System.Net.Http.HttpClient.exchange.ClientHandler", LogEventLevel.Warning, true)]
    [TestCase("TradeStat.Api.Diagnostics.RequestTelemetryMiddleware", LogEventLevel.Information, true)]
    [TestCase("TradeStat.Api.Diagnostics.RequestTelemetryMiddleware", LogEventLevel.Debug, false)]
    public void The_shipped_levels_hold_without_configuration(string category, LogEventLevel level, bool enabled)
    {
        using var logger = new LoggerConfiguration().WithShippedLevels().ReadFrom.Configuration(Configuration()).CreateLogger();

        logger.ForContext(Constants.SourceContextPropertyName, category).IsEnabled(level).Should().Be(enabled);
    }

    [Test]
    public void Configured_levels_replace_the_shipped_ones()
    {
        var config = Configuration(
            ("Serilog:MinimumLevel:Default", "Warning"),
            ("Serilog:MinimumLevel:Override:Microsoft.AspNetCore", "Information"));
        using var logger = new LoggerConfiguration().WithShippedLevels().ReadFrom.Configuration(config).CreateLogger();

        logger.ForContext(Constants.SourceContextPropertyName, "Microsoft.AspNetCore.Routing.EndpointMiddleware").IsEnabled(LogEventLevel.Information).Should().BeTrue();
        logger.ForContext(Constants.SourceContextPropertyName, "TradeStat.Api.Controllers.SeriesController").IsEnabled(LogEventLevel.Information).Should().BeFalse();
        logger.ForContext(Constants.SourceContextPropertyName, "Microsoft.Hosting.Lifetime").IsEnabled(LogEventLevel.Information).Should().BeTrue("its override still holds");
    }

    [Test]
    public void The_short_form_of_the_minimum_level_replaces_the_shipped_default()
    {
        using var logger = new LoggerConfiguration().WithShippedLevels()
            .ReadFrom.Configuration(Configuration(("Serilog:MinimumLevel", "Debug"))).CreateLogger();

        logger.ForContext(Constants.SourceContextPropertyName, "TradeStat.Api.Diagnostics.RequestTelemetryMiddleware").IsEnabled(LogEventLevel.Debug).Should().BeTrue();
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();
}
