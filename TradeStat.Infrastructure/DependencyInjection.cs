using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
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
            .Validate(o => o.MaxSymbols is >= 1 and <= 1_000, "TradeStat:MaxSymbols must be between 1 and 1000.")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<SeriesOptions>>().Value);
        services.AddSingleton<ISymbolSeriesStore, ChunkedSeriesStore>();

        // GC pauses are measured from the runtime's own events and logged when long (TradeStat:GcPauseWarningMs).
        services.AddOptions<GcPauseOptions>()
            .BindConfiguration(SeriesOptions.SectionName)
            .Validate(o => o.GcPauseWarningMs >= 0, "TradeStat:GcPauseWarningMs must not be negative.");
        if (configuration.GetValue($"{SeriesOptions.SectionName}:{nameof(GcPauseOptions.GcPauseWarningMs)}", 50) > 0)
        {
            services.AddSingleton<GcPauseMonitor>();
            services.AddHostedService(sp => sp.GetRequiredService<GcPauseMonitor>());
        }

        // The live Binance feed (section Binance): registered always, running only when Binance:Enabled is true.
        services.AddBinanceFeed();

        return services;
    }
}
