using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TradeStat.Domain.Series;
using TradeStat.Infrastructure.Diagnostics;
using TradeStat.Infrastructure.Feed;
using TradeStat.Infrastructure.Series;

namespace TradeStat.Infrastructure;

/// <summary>Registers the Infrastructure implementations of Domain's interfaces.</summary>
public static class DependencyInjection
{
    /// <summary>Adds the series store and its options (section <c>TradeStat</c>) and the Binance feed (section <c>Binance</c>).</summary>
    public static IServiceCollection AddInfrastructure(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SeriesOptions>()
            .BindConfiguration(SeriesOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<SeriesOptions>>().Value);
        services.AddSingleton<ISymbolSeriesStore, ChunkedSeriesStore>();

        // GC pauses are measured from the runtime's own events and logged when long (TradeStat:GcPauseWarningMs).
        // Whether the monitor exists is decided from the bound, validated options, not from the raw value: with the
        // threshold at 0 the optional service resolves to null, so neither the host nor /metrics creates a listener.
        services.AddOptions<GcPauseOptions>()
            .BindConfiguration(SeriesOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<GcPauseOptions>>();
            return options.Value.Enabled ? new GcPauseMonitor(sp.GetRequiredService<ILogger<GcPauseMonitor>>(), options) : null!;
        });
        services.AddHostedService<GcPauseMonitorHost>();

        // The live Binance feed (section Binance): registered always, running only when Binance:Enabled is true.
        services.AddBinanceFeed();

        return services;
    }

    /// <summary>Starts and stops <see cref="GcPauseMonitor"/> when it is on (its threshold is positive).</summary>
    private sealed class GcPauseMonitorHost(IServiceProvider services) : IHostedService
    {
        private GcPauseMonitor? _monitor;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            _monitor = services.GetService<GcPauseMonitor>();
            return _monitor?.StartAsync(cancellationToken) ?? Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => _monitor?.StopAsync(cancellationToken) ?? Task.CompletedTask;
    }
}
