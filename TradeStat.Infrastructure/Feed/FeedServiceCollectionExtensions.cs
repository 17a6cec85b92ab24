using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TradeStat.Domain.Feed;

namespace TradeStat.Infrastructure.Feed;

/// <summary>Registration of the Binance feed (always registered; it runs only when <c>Binance:Enabled</c> is true).</summary>
internal static class FeedServiceCollectionExtensions
{
    public static IServiceCollection AddBinanceFeed(this IServiceCollection services)
    {
        services.AddOptions<BinanceOptions>()
            .BindConfiguration(BinanceOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.RestBaseUrl is { IsAbsoluteUri: true } u && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps),
                "Binance:RestBaseUrl must be an absolute http(s) URL.")
            .Validate(o => o.StreamBaseUrl is { IsAbsoluteUri: true } u && (u.Scheme == "ws" || u.Scheme == "wss"),
                "Binance:StreamBaseUrl must be an absolute ws(s) URL.")
            .Validate(o => o.SymbolRefreshInterval >= TimeSpan.FromSeconds(1), "Binance:SymbolRefreshInterval must be at least 1 second.")
            .Validate(o => o.ConnectionLifetime > TimeSpan.Zero && o.ConnectionLifetime < TimeSpan.FromHours(24),
                "Binance:ConnectionLifetime must be positive and under 24 hours (Binance closes connections at 24 h).")
            .Validate(o => o.SendInterval >= TimeSpan.FromMilliseconds(250) && o.RotationOverlap >= TimeSpan.Zero && o.RequestTimeout > TimeSpan.Zero,
                "Binance:SendInterval must be at least 00:00:00.250 (Binance allows 5 incoming messages per second per connection, pongs included); RotationOverlap must not be negative; RequestTimeout must be positive.")
            .Validate(o => o.ReconnectBaseDelay >= TimeSpan.Zero && o.ReconnectMaxDelay >= o.ReconnectBaseDelay,
                "Binance:ReconnectBaseDelay must not be negative nor over ReconnectMaxDelay.")
            .Validate(o => !o.Enabled || string.IsNullOrEmpty(o.ReplayFile) || File.Exists(o.ReplayFile), "Binance:ReplayFile does not exist.")
            .Validate(o => !o.Enabled || string.IsNullOrEmpty(o.ExchangeInfoFile) || File.Exists(o.ExchangeInfoFile), "Binance:ExchangeInfoFile does not exist.")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<BinanceOptions>>().Value);
        services.AddSingleton(sp => new FeedBookOptions
        {
            Enabled = sp.GetRequiredService<BinanceOptions>().Enabled,
            MaxDistinctPricesPerSymbol = sp.GetRequiredService<BinanceOptions>().MaxDistinctPricesPerSymbol,
        });
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<FeedMetrics>();
        services.AddSingleton<FeedBook>();
        services.AddSingleton<IFeedService>(sp => sp.GetRequiredService<FeedBook>());
        services.AddSingleton<TradeIngestor>();
        services.AddSingleton<ReplaySource>();
        services.AddHttpClient<ExchangeInfoClient>();
        services.AddHttpClient<HistoricalTradesClient>();
        services.AddSingleton<BinanceFeedService>();
        services.AddHostedService(sp => sp.GetRequiredService<BinanceFeedService>());
        return services;
    }
}
