using Microsoft.Extensions.DependencyInjection;
using TradeStat.Domain.Series;

namespace TradeStat.Domain;

/// <summary>Registers the domain services.</summary>
public static class DependencyInjection
{
    /// <summary>Adds the domain services; the stores and engines behind their interfaces come from Infrastructure.</summary>
    public static IServiceCollection AddDomain(this IServiceCollection services)
    {
        services.AddSingleton<ISeriesService, SeriesService>();
        return services;
    }
}
