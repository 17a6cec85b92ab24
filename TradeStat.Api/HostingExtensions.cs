using System.Reflection;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;
using TradeStat.Domain;
using TradeStat.Infrastructure;

namespace TradeStat.Api;

/// <summary>Host defaults of the service.</summary>
public static class HostingExtensions
{
    /// <summary>The logger of ASP.NET Core's per-request hosting diagnostics (request start/finish, activity, scope).</summary>
    public const string HostingDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>
    /// <c>Kestrel:Limits:MaxRequestBodySize</c> unless configured (Kestrel's own default is about 30 MB): a full
    /// add_batch of <see cref="Domain.Series.SeriesLimits.MaxBatchSize"/> numbers fits with room to spare.
    /// </summary>
    public const long DefaultMaxRequestBodySize = 1024 * 1024;

    private const string KestrelLimitsSection = "Kestrel:Limits";

    /// <summary>
    /// The builder's options for <paramref name="args"/>: the content root is the application's own directory, where
    /// appsettings.json is shipped, unless the user named one (<c>--contentRoot</c>, <c>ASPNETCORE_CONTENTROOT</c>,
    /// <c>DOTNET_CONTENTROOT</c>). The host's own default, the working directory, loses the shipped files whenever the
    /// service is started from anywhere else.
    /// </summary>
    public static WebApplicationOptions StartOptions(string[] args)
    {
        // WebApplicationOptions.ContentRootPath overrides the command line and the environment, so it is only set when
        // none of the sources the builder reads a content root from (these, with these prefixes) names one.
        var given = new ConfigurationBuilder()
            .AddEnvironmentVariables("ASPNETCORE_")
            .AddEnvironmentVariables("DOTNET_")
            .AddCommandLine(args)
            .Build()[HostDefaults.ContentRootKey];
        return new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = string.IsNullOrEmpty(given) ? AppContext.BaseDirectory : null,
        };
    }

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
            // Bound here without validation: the logger must come up (JSON unless text is asked for) to report an
            // invalid setting, this section's included, when the host starts.
            var api = config.GetSection(ApiOptions.SectionName).Get<ApiOptions>() ?? new ApiOptions();
            logger
                .WithShippedLevels()
                .ReadFrom.Configuration(config)
                .ReadFrom.Services(services)
                .Enrich.FromLogContext()
                .WriteToConsole(api.LogFormat);

            // ASP.NET Core starts an Activity and a logging scope for every request as soon as its hosting logger is
            // enabled at any level (an ActivityListener, e.g. OpenTelemetry, still gets its activities). That costs CPU
            // on every request and only feeds "Request starting/finished" lines, which are off anyway, and trace ids on
            // log events. So that logger is off unless TradeStat:RequestTracing is true or its level is configured.
            if (!api.RequestTracing && config[$"Serilog:MinimumLevel:Override:{HostingDiagnosticsCategory}"] is null)
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
    /// The log levels the service ships with, so that they hold without any configuration file; <c>Serilog:MinimumLevel</c>
    /// (its <c>Default</c> and each <c>Override</c>) in configuration replaces each of them.
    /// </summary>
    public static LoggerConfiguration WithShippedLevels(this LoggerConfiguration logger) =>
        logger.MinimumLevel.Information()
            // MVC and routing write several Information events per request ("Route matched", "Executing controller action").
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            // Start and stop ("Now listening on", "Application started") stay visible even under a higher default level.
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            // HttpClientFactory's clients (the feed's REST calls) write Information events for every request and, when the
            // exchange cannot be reached, each retry's exception with its stack trace; the feed's own warning says what
            // failed and when it tries again.
            .MinimumLevel.Override("System.Net.Http.HttpClient", LogEventLevel.Warning);

    /// <summary>
    /// Applies <c>Kestrel:Limits</c> from configuration (body size, header sizes, timeouts) over the service's own
    /// default body limit: Kestrel reads endpoints from that section by itself, but not its limits.
    /// </summary>
    public static WebApplicationBuilder BindKestrelLimits(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.Limits.MaxRequestBodySize = DefaultMaxRequestBodySize;
            BindLimits(context.Configuration.GetSection(KestrelLimitsSection), kestrel.Limits);

            // No "Server: Kestrel" header: it tells an attacker what runs here and costs bytes on every answer.
            kestrel.AddServerHeader = false;
        });
        return builder;
    }

    /// <summary>Console sink: one JSON object per event (<c>json</c>, the default) or readable lines (<c>text</c>).</summary>
    public static LoggerConfiguration WriteToConsole(this LoggerConfiguration logger, string? format) =>
        string.Equals(format, ApiOptions.TextLogFormat, StringComparison.OrdinalIgnoreCase)
            ? logger.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}")
            : logger.WriteTo.Console(new RenderedCompactJsonFormatter());

    /// <summary>
    /// Binds <paramref name="section"/> onto <paramref name="limits"/>; a value Kestrel refuses fails start naming its key
    /// (the binder alone reports an invocation error of a property setter).
    /// </summary>
    private static void BindLimits(IConfigurationSection section, KestrelServerLimits limits)
    {
        try
        {
            section.Bind(limits);
        }
        catch (Exception e) when (e is TargetInvocationException or ArgumentException or InvalidOperationException)
        {
            // Find the culprit: each setting alone, onto limits that are thrown away.
            foreach (var setting in section.GetChildren())
            {
                var alone = new ConfigurationBuilder()
                    .AddInMemoryCollection(setting.AsEnumerable().Select(p => KeyValuePair.Create(p.Key[(section.Path.Length + 1)..], p.Value)))
                    .Build();
                try
                {
                    alone.Bind(new KestrelServerLimits());
                }
                catch (Exception refused) when (refused is TargetInvocationException or ArgumentException or InvalidOperationException)
                {
                    var reason = (refused as TargetInvocationException)?.InnerException ?? refused;
                    throw new OptionsValidationException(setting.Path, typeof(KestrelServerLimits),
                        [$"{setting.Path} = '{setting.Value}' is refused: {reason.Message}"]);
                }
            }

            throw;
        }
    }
}
