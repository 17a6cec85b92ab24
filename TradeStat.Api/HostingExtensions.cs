using Serilog;
using Serilog.Events;
using TradeStat.Domain;
using TradeStat.Infrastructure;
using Serilog.Formatting.Compact;

namespace TradeStat.Api;

/// <summary>Host defaults of the service.</summary>
public static class HostingExtensions
{
    /// <summary>The logger of ASP.NET Core's per-request hosting diagnostics (request start/finish, activity, scope).</summary>
    public const string HostingDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>
    /// Listens on <paramref name="url"/> unless an address was configured the usual ASP.NET ways
    /// (<c>--urls</c>, <c>ASPNETCORE_URLS</c>, <c>ASPNETCORE_HTTP_PORTS</c>, <c>Kestrel:Endpoints</c>).
    /// </summary>
    public static WebApplicationBuilder UseDefaultUrlWhenNoneConfigured(this WebApplicationBuilder builder, string url)
    {
        var config = builder.Configuration;
        var configured = !string.IsNullOrEmpty(config["urls"])
            || !string.IsNullOrEmpty(config["http_ports"])
            || !string.IsNullOrEmpty(config["https_ports"])
            || config.GetSection("Kestrel:Endpoints").GetChildren().Any();
        if (!configured)
        {
            builder.WebHost.UseUrls(url);
        }

        return builder;
    }

    /// <summary>
    /// Everything of the service but its listening address: Kestrel limits, Serilog, and the domain, infrastructure
    /// and HTTP services. <c>Program</c> and the in-memory pipeline benchmark both build the host with it.
    /// </summary>
    public static WebApplicationBuilder AddTradeStat(this WebApplicationBuilder builder)
    {
        builder.BindKestrelLimits();
        var config = builder.Configuration;
        builder.Services.AddSerilog((services, logger) =>
        {
            logger
                .ReadFrom.Configuration(config)
                .ReadFrom.Services(services)
                .Enrich.FromLogContext()
                .WriteToConsole(config["TradeStat:LogFormat"]);

            // ASP.NET Core starts an Activity and a logging scope for every request as soon as its hosting logger is
            // enabled at any level (an ActivityListener, e.g. OpenTelemetry, still gets its activities). That costs
            // ~1.5 µs of CPU per request (GET /stats/ 52.5–56.5k -> 58.4–58.8k requests/s on 2 cores) and only
            // feeds "Request starting/finished" lines, which are off anyway, and trace ids on log events. So that
            // logger is off unless TradeStat:RequestTracing is true or its level is configured explicitly.
            if (!config.GetValue<bool>("TradeStat:RequestTracing") && config[$"Serilog:MinimumLevel:Override:{HostingDiagnosticsCategory}"] is null)
            {
                logger.MinimumLevel.Override(HostingDiagnosticsCategory, LevelAlias.Off);
            }
        });

        builder.Services
            .AddDomain()
            .AddInfrastructure(config)
            .AddApi();
        return builder;
    }

    /// <summary>
    /// Applies <c>Kestrel:Limits</c> from configuration (body size, header sizes, timeouts): Kestrel reads
    /// endpoints from that section by itself, but not its limits.
    /// </summary>
    public static WebApplicationBuilder BindKestrelLimits(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            context.Configuration.GetSection("Kestrel:Limits").Bind(kestrel.Limits);

            // No "Server: Kestrel" header: it tells an attacker what runs here and costs bytes on every answer.
            kestrel.AddServerHeader = false;
        });
        return builder;
    }

    /// <summary>Console sink: one JSON object per event (<c>json</c>, the default) or readable lines (<c>text</c>).</summary>
    public static LoggerConfiguration WriteToConsole(this LoggerConfiguration logger, string? format) =>
        string.Equals(format, "text", StringComparison.OrdinalIgnoreCase)
            ? logger.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}")
            : logger.WriteTo.Console(new RenderedCompactJsonFormatter());
}
