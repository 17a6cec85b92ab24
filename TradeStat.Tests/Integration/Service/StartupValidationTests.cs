using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TradeStat.Infrastructure.Diagnostics;
using TradeStat.Infrastructure.Feed;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Integration.Service;

/// <summary>Every setting is checked when the service starts; the feed's HTTP clients follow DNS changes.</summary>
[TestFixture]
[Category("Integration")]
public sealed class StartupValidationTests
{
    [TestCase("TradeStat:GcPauseWarningMs", "-5", "TradeStat:GcPauseWarningMs must be between 0 and 60000")]
    [TestCase("TradeStat:MaxJsonDepth", "1", "TradeStat:MaxJsonDepth must be between 2 and 256")]
    [TestCase("TradeStat:MaxJsonDepth", "257", "TradeStat:MaxJsonDepth must be between 2 and 256")]
    [TestCase("TradeStat:MaxSymbols", "0", "TradeStat:MaxSymbols must be between 1 and 1000")]
    [TestCase("TradeStat:RequestTimeoutSeconds", "-1", "TradeStat:RequestTimeoutSeconds must be between 0 and 3600")]
    [TestCase("TradeStat:RequestTimeoutSeconds", "Infinity", "TradeStat:RequestTimeoutSeconds must be between 0 and 3600")]
    [TestCase("TradeStat:ShutdownTimeoutSeconds", "301", "TradeStat:ShutdownTimeoutSeconds must be between 0 and 300")]
    [TestCase("TradeStat:SlowRequestMilliseconds", "NaN", "TradeStat:SlowRequestMilliseconds must be between 0 and 3600000")]
    [TestCase("TradeStat:LogFormat", "xml", "TradeStat:LogFormat must be json or text")]
    [TestCase("Binance:MaxStreamsPerConnection", "0", "Binance:MaxStreamsPerConnection must be between 1 and 1024")]
    [TestCase("Binance:SendInterval", "00:00:00.100", "Binance:SendInterval must be between")]
    [TestCase("Binance:SymbolRefreshInterval", "60.00:00:00", "Binance:SymbolRefreshInterval must be between")]
    [TestCase("Binance:ReconnectMaxDelay", "00:00:00.500", "Binance:ReconnectBaseDelay must not be over Binance:ReconnectMaxDelay")]
    [TestCase("Binance:RestBaseUrl", "ftp://example.com", "Binance:RestBaseUrl must be an absolute http(s) URL")]
    public void An_invalid_setting_stops_the_start_with_a_message_naming_it(string key, string value, string message)
    {
        // The feed stays off: its settings are checked all the same.
        using var factory = new TradeStatFactory((key, value));

        FluentActions.Invoking(() => factory.CreateClient()).Should().Throw<Exception>("the service must not start with {0}={1}", key, value);
        factory.ErrorLog.Should().Contain(message);
    }

    [Test]
    public async Task Settings_at_the_ends_of_their_ranges_start()
    {
        await using var factory = new TradeStatFactory(
            ("TradeStat:GcPauseWarningMs", "0"),
            ("TradeStat:MaxJsonDepth", "256"),
            ("TradeStat:MaxSymbols", "1000"),
            ("TradeStat:RequestTimeoutSeconds", "0"),
            ("TradeStat:ShutdownTimeoutSeconds", "300"),
            ("TradeStat:LogFormat", "TEXT"),
            ("Binance:SendInterval", "00:00:00.250"),
            ("Binance:ConnectionLifetime", "23:59:59"));
        using var client = factory.CreateApiClient();

        (await client.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/metrics")).StatusCode.Should().Be(HttpStatusCode.OK, "the metrics do without a GC pause monitor");
        factory.ErrorLog.Should().BeEmpty();
    }

    [Test]
    public async Task The_gc_pause_monitor_runs_by_default_and_not_at_a_threshold_of_0()
    {
        await using (var byDefault = new TradeStatFactory())
        {
            byDefault.CreateClient().Dispose();
            byDefault.Services.GetService<GcPauseMonitor>().Should().NotBeNull();
        }

        await using var off = new TradeStatFactory(("TradeStat:GcPauseWarningMs", "0"));
        off.CreateClient().Dispose();
        off.Services.GetService<GcPauseMonitor>().Should().BeNull("0 turns the monitor off");
    }

    [TestCase(nameof(ExchangeInfoClient))]
    [TestCase(nameof(TradeHistoryClient))]
    public async Task The_feed_http_clients_renew_their_pooled_connections(string client)
    {
        await using var factory = new TradeStatFactory();
        factory.CreateClient().Dispose();

        using var handler = factory.Services.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(client);

        var primary = handler;
        while (primary is DelegatingHandler { InnerHandler: { } inner })
        {
            primary = inner;
        }

        var sockets = primary.Should().BeOfType<SocketsHttpHandler>().Subject;
        sockets.PooledConnectionLifetime.Should().Be(BinanceOptions.HttpConnectionLifetime)
            .And.NotBe(Timeout.InfiniteTimeSpan)
            .And.BeLessThanOrEqualTo(TimeSpan.FromMinutes(15));
    }
}
