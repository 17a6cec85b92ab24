using Microsoft.Extensions.DependencyInjection;
using TradeStat.Domain.Market;
using TradeStat.Domain.Series;

namespace TradeStat.Domain;

/// <summary>Registers the domain services.</summary>
public static class DependencyInjection
{
    /// <summary>Adds the domain services; the store and options come from Infrastructure.</summary>
    public static IServiceCollection AddDomain(this IServiceCollection services)
    {
        services.AddSingleton<ISeriesService, SeriesService>();

        // The market statistics of the live feed; MarketOptions come from Infrastructure (section Binance).
        services.AddSingleton<MarketBook>();
        services.AddSingleton<IMarketService>(sp => sp.GetRequiredService<MarketBook>());
        return services;
    }
}
