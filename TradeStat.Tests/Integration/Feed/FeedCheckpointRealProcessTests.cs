using System.Text.Json;
using TradeStat.Infrastructure.Feed;
using TradeStat.Tests.Fakes;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Integration.Feed;

/// <summary>
/// The built executable with a data directory, against the fake exchange, killed with SIGKILL while trades flow — some
/// kills landing while a checkpoint is being written — and started again each time, with trades made while it was
/// down: in the end every symbol's count, median and last equal those of one clean run over the same trades.
/// </summary>
[TestFixture]
[Category("Integration")]
[Platform("Linux")] // SIGKILL, directory fsync
[NonParallelizable]
public sealed class FeedCheckpointRealProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Test]
    public async Task Killed_mid_stream_and_mid_checkpoint_then_restarted_every_trade_counts_exactly_once()
    {
        var market = FakeMarket.Create(listed: 200, trading: 30, tradesPerSymbol: 240, seed: 41);
        await using var exchange = new FakeBinanceExchange(market) { MalformedEvery = 0, IgnoreFirstSubscribe = false };
        await exchange.StartAsync();
        var data = Directory.CreateTempSubdirectory("tradestat-data-");
        try
        {
            // A large state beside the live symbols (retired symbols with many price levels), so that each checkpoint
            // takes long enough for a kill to land in the middle of writing one.
            var ballast = Ballast(symbols: 60, levels: 100_000);
            await using (var file = File.Create(Path.Combine(data.FullName, FeedCheckpoints.FileName)))
            {
                FeedCheckpoint.Write(file, ballast, DateTimeOffset.UtcNow);
            }

            var service = await StartAsync(exchange, data.FullName);
            try
            {
                await WaitUntil(() => Task.FromResult(exchange.AllRecordedStreamsSubscribed), "subscribed", service);
                exchange.Publish(40);

                // A checkpoint with the first trades in it: from then on each symbol has a last trade id to resume from.
                using (var first = service.CreateClient())
                {
                    var counted = DateTime.MinValue;
                    await WaitUntil(async () =>
                    {
                        using var doc = JsonDocument.Parse(await first.GetStringAsync("/" + market.TradingSymbols[0]));
                        if (counted == DateTime.MinValue && doc.RootElement.GetProperty("count").GetInt64() == 40)
                        {
                            counted = DateTime.UtcNow;
                        }

                        return counted != DateTime.MinValue
                            && File.GetLastWriteTimeUtc(Path.Combine(data.FullName, FeedCheckpoints.FileName)) > counted.AddSeconds(1);
                    }, "a checkpoint after the first trades", service);
                }

                // Even kills land mid-stream, just after trades were published; odd ones while a checkpoint is being
                // written (its temporary file exists), until one such kill is seen to have landed there.
                var temp = Path.Combine(data.FullName, FeedCheckpoints.FileName + ".tmp");
                var killsDuringWrite = 0;
                for (var kill = 0; kill < 8 && (kill < 4 || killsDuringWrite == 0); kill++)
                {
                    exchange.Publish(10);
                    if (kill % 2 == 1)
                    {
                        await Eventually.TryUntilAsync(() => Task.FromResult(File.Exists(temp)), Timeout, TimeSpan.FromMilliseconds(1));
                    }

                    await service.KillAsync();
                    if (kill % 2 == 1 && File.Exists(temp))
                    {
                        killsDuringWrite++;
                    }

                    await service.DisposeAsync();

                    // Trading goes on while the service is down.
                    exchange.Publish(10);
                    var connections = exchange.Connections;
                    service = await StartAsync(exchange, data.FullName);
                    await WaitUntil(() => Task.FromResult(exchange.Connections > connections && exchange.AllRecordedStreamsSubscribed),
                        "subscribed again", service);
                }

                killsDuringWrite.Should().BeGreaterThan(0, "at least one kill landed while a checkpoint was being written");
                exchange.PublishAll();

                using var client = service.CreateClient();
                var expected = market.Trades.GroupBy(t => t.Symbol).ToDictionary(g => g.Key, g => g.ToArray());
                await WaitUntil(async () =>
                {
                    foreach (var (symbol, trades) in expected)
                    {
                        using var doc = JsonDocument.Parse(await client.GetStringAsync("/" + symbol));
                        if (doc.RootElement.GetProperty("count").GetInt64() != trades.Length)
                        {
                            return false;
                        }
                    }

                    return true;
                }, "every trade of every symbol counted", service);

                using (new FluentAssertions.Execution.AssertionScope())
                {
                    foreach (var (symbol, trades) in expected)
                    {
                        using var doc = JsonDocument.Parse(await client.GetStringAsync("/" + symbol));
                        var root = doc.RootElement;
                        root.GetProperty("median").GetDecimal().Should().Be(Recordings.SortedMedian(trades.Select(t => t.Price)), symbol);
                        root.GetProperty("last").GetDecimal().Should().Be(decimal.Parse(trades[^1].Price, System.Globalization.CultureInfo.InvariantCulture), symbol);
                        root.GetProperty("missed").GetInt64().Should().Be(0, symbol);
                    }

                    // The ballast survived every kill, whole.
                    using var ballastAnswer = JsonDocument.Parse(await client.GetStringAsync("/" + ballast[0].Symbol));
                    ballastAnswer.RootElement.GetProperty("count").GetInt64().Should().Be(ballast[0].Snapshot().Count);
                }

                TestContext.Progress.WriteLine($"Kills during a checkpoint write: {killsDuringWrite}");
                await service.SendSigtermAsync();
                (await service.WaitForExitAsync(TimeSpan.FromSeconds(30))).Should().BeTrue(service.Describe());
                service.ExitCode.Should().Be(0, service.Describe());
                await service.DisposeAsync();

                // The checkpoint written at that clean shutdown holds every trade: a new start answers the same at once,
                // before any trade arrives.
                service = await StartAsync(exchange, data.FullName);
                using var again = service.CreateClient();
                await WaitUntil(async () => (await again.GetAsync("/" + ballast[0].Symbol)).IsSuccessStatusCode, "restored", service);
                foreach (var (symbol, trades) in expected)
                {
                    using var doc = JsonDocument.Parse(await again.GetStringAsync("/" + symbol));
                    doc.RootElement.GetProperty("count").GetInt64().Should().Be(trades.Length, symbol);
                }
            }
            finally
            {
                await service.DisposeAsync();
            }
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    private static FeedSymbol[] Ballast(int symbols, int levels)
    {
        var states = new FeedSymbol[symbols];
        for (var s = 0; s < symbols; s++)
        {
            var state = new FeedSymbol($"OLD{s:D4}USDT", 1_000_000);
            for (var i = 0; i < levels; i++)
            {
                state.Apply(i, 1_000_000 + ((i * 7919L) % levels));
            }

            states[s] = state;
        }

        return states;
    }

    private static Task<ServiceProcess> StartAsync(FakeBinanceExchange exchange, string data) =>
        ServiceProcess.StartAsync("Production",
            "--Binance:Enabled=true",
            $"--Binance:RestBaseUrl={exchange.RestBaseUrl}",
            $"--Binance:StreamBaseUrl={exchange.StreamBaseUrl}",
            $"--Binance:DataDirectory={data}",
            "--Binance:CheckpointInterval=00:00:00.100",
            "--Binance:CheckpointMaxDutyPercent=100",
            "--Binance:BackfillDelay=00:00:00.050",
            "--Binance:ReconnectBaseDelay=00:00:00.050",
            "--Binance:ReconnectMaxDelay=00:00:00.500");

    private static Task WaitUntil(Func<Task<bool>> condition, string what, ServiceProcess service) => service.UntilAsync(condition, what, Timeout);
}
