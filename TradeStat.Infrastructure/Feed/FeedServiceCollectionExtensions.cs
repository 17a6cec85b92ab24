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
            .Validate(o => o.RotationOverlap < o.ConnectionLifetime, "Binance:RotationOverlap must be shorter than Binance:ConnectionLifetime.")
            .Validate(o => o.ReconnectMaxDelay >= o.ReconnectBaseDelay, "Binance:ReconnectBaseDelay must not be over Binance:ReconnectMaxDelay.")
            .Validate(o => !o.Enabled || string.IsNullOrEmpty(o.ReplayFile) || File.Exists(o.ReplayFile), "Binance:ReplayFile does not exist.")
            .Validate(o => !o.Enabled || string.IsNullOrEmpty(o.ExchangeInfoFile) || File.Exists(o.ExchangeInfoFile), "Binance:ExchangeInfoFile does not exist.")
            .Validate(o => string.IsNullOrEmpty(o.DataDirectory) || o.DataDirectory.IndexOfAny(Path.GetInvalidPathChars()) < 0,
                "Binance:DataDirectory is not a valid path.")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<BinanceOptions>>().Value);
        services.AddSingleton(sp => new FeedBookOptions
        {
            Enabled = sp.GetRequiredService<BinanceOptions>().Enabled,
            MaxDistinctPricesPerSymbol = sp.GetRequiredService<BinanceOptions>().MaxDistinctPricesPerSymbol,
            MaxHeldTradesPerSymbol = sp.GetRequiredService<BinanceOptions>().MaxHeldTradesPerSymbol,
        });
        services.AddSingleton(sp =>
        {
            var binance = sp.GetRequiredService<BinanceOptions>();
            return new FeedDescription(binance.Enabled, !string.IsNullOrEmpty(binance.ReplayFile), binance.MaxStreamsPerConnection,
                !string.IsNullOrEmpty(binance.DataDirectory));
        });
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<FeedMetrics>();
        services.AddSingleton<FeedBook>();
        services.AddSingleton<IFeedService>(sp => sp.GetRequiredService<FeedBook>());
        services.AddSingleton<TradeIngestor>();
        services.AddSingleton<ReplaySource>();
        services.AddSingleton<Backfiller>();

        services.AddBinanceRestClient<ExchangeInfoClient>();
        services.AddBinanceRestClient<TradeHistoryClient>();
        services.AddSingleton<FeedCheckpoints>();
        services.AddHealthChecks().AddCheck<FeedCheckpointHealthCheck>("feed-checkpoints");

        // Registered before the feed, so that the host stops it after the feed: the last checkpoint holds every trade.
        services.AddHostedService<FeedCheckpointService>();
        services.AddSingleton<BinanceFeedService>();
        services.AddHostedService(sp => sp.GetRequiredService<BinanceFeedService>());
        return services;
    }

    /// <summary>
    /// Registers a typed client of Binance's REST API: every request it sends waits for the process's one
    /// <see cref="RestGovernor"/> (weight budget, 429/418 blocks, in-flight limit). Every REST client is registered here.
    /// </summary>
    public static IHttpClientBuilder AddBinanceRestClient<TClient>(this IServiceCollection services)
        where TClient : class
    {
        services.TryAddSingleton<RestGovernor>();

        // The typed clients live as long as the feed service that holds them, so the factory's handler rotation never
        // reaches them: their pooled connections are renewed instead, so that a change of Binance's DNS is followed.
        // HttpClient's own timeout would count the wait in the governor too: each request is bounded by the handler
        // instead, from the moment it is let go, and the clients bound reading the body themselves.
        return services.AddHttpClient<TClient>()
            .ConfigureHttpClient(http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(RenewedConnections)
            .AddHttpMessageHandler(sp => new RestWeightHandler(sp.GetRequiredService<RestGovernor>(), sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<BinanceOptions>().RequestTimeout));
    }

    private static SocketsHttpHandler RenewedConnections() => new() { PooledConnectionLifetime = BinanceOptions.HttpConnectionLifetime };
}
