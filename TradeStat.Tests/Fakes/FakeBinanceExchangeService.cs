using TradeStat.Tests.Support;

namespace TradeStat.Tests.Fakes;

/// <summary>The whole service in-process with its live feed pointed at a <see cref="FakeBinanceExchange"/>.</summary>
public static class FakeBinanceExchangeService
{
    /// <summary>The service with the live feed on, pointed at <paramref name="exchange"/>, request logging off, plus <paramref name="settings"/>.</summary>
    public static TradeStatFactory FeedService(this FakeBinanceExchange exchange, params (string Key, string Value)[] settings) =>
        new([
            ("Binance:Enabled", "true"),
            ("Binance:RestBaseUrl", exchange.RestBaseUrl.ToString()),
            ("Binance:StreamBaseUrl", exchange.StreamBaseUrl.ToString()),
            ("TradeStat:RequestLogging", "false"),
            .. settings,
        ]);
}
