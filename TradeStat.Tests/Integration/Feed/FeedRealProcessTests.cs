using System.Net;
using System.Text.Json;
using TradeStat.Tests.Fakes;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Integration.Feed;

/// <summary>
/// The built executable as a user starts it (<c>dotnet TradeStat.Api.dll --Binance:Enabled=true …</c>), live feed pointed
/// at the loopback fake exchange, stopped with SIGTERM as Ctrl-C / a service manager would.
/// </summary>
[TestFixture]
[Category("Integration")]
[Platform("Linux")] // SIGTERM via /bin/kill
[NonParallelizable]
public sealed class FeedRealProcessTests
{
    [Test]
    public async Task Live_feed_runs_in_the_real_process_and_stops_cleanly()
    {
        var trades = Recordings.RecordedTrades(Recordings.EthUsdt);
        await using var exchange = new FakeBinanceExchange(Recordings.Bytes(Recordings.ExchangeInfo2024), trades, [])
        {
            MalformedEvery = 0,
            IgnoreFirstSubscribe = false,
        };
        await exchange.StartAsync();

        await using var service = await ServiceProcess.StartAsync("Production",
            "--Binance:Enabled=true",
            $"--Binance:RestBaseUrl={exchange.RestBaseUrl}",
            $"--Binance:StreamBaseUrl={exchange.StreamBaseUrl}");
        using var client = service.CreateClient();
        await WaitUntil(() => Task.FromResult(exchange.AllRecordedStreamsSubscribed), "ETHUSDT subscribed", service);
        await exchange.PublishAsync(step: 50, interval: TimeSpan.FromMilliseconds(2));

        var reference = Recordings.SortedMedian(trades.Select(t => t.Price));
        JsonElement answer = default;
        await WaitUntil(async () =>
        {
            using var doc = JsonDocument.Parse(await client.GetStringAsync("/ETHUSDT"));
            answer = doc.RootElement.Clone();
            return answer.GetProperty("count").GetInt64() == trades.Length;
        }, "every ETHUSDT trade counted", service);
        answer.GetProperty("median").GetDecimal().Should().Be(reference);
        var symbols = JsonSerializer.Deserialize<string[]>(await client.GetStringAsync("/symbols"))!;
        symbols.Should().HaveCount(1248);
        (await client.GetAsync("/NOTLISTED")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        await service.SendSigtermAsync();
        (await service.WaitForExitAsync(TimeSpan.FromSeconds(20))).Should().BeTrue(service.Describe());
        service.ExitCode.Should().Be(0, service.Describe());
        exchange.Connections.Should().Be(2, "1248 symbols need ceil(1248/1024) = 2 connections");
    }

    private static Task WaitUntil(Func<Task<bool>> condition, string what, ServiceProcess service) => service.UntilAsync(condition, what, TimeSpan.FromSeconds(60));
}
