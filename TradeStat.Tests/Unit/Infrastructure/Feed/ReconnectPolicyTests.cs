using TradeStat.Infrastructure.Feed;

namespace TradeStat.Tests.Unit.Infrastructure.Feed;

[TestFixture]
[Category("Unit")]
public sealed class ReconnectPolicyTests
{
    [Test]
    public void Backoff_doubles_up_to_the_cap_with_jitter_in_half_to_one()
    {
        var options = new BinanceOptions { ReconnectBaseDelay = TimeSpan.FromSeconds(1), ReconnectMaxDelay = TimeSpan.FromSeconds(30) };
        for (var failures = 1; failures <= 12; failures++)
        {
            var nominal = Math.Min(30, Math.Pow(2, failures - 1));
            for (var i = 0; i < 200; i++)
            {
                var delay = Backoff.Delay(failures, options).TotalSeconds;
                delay.Should().BeGreaterThanOrEqualTo(nominal * 0.5).And.BeLessThan(nominal);
            }
        }
    }

    [Test]
    public async Task Connection_attempts_beyond_the_window_limit_wait()
    {
        var limiter = new ConnectionAttemptLimiter(3, TimeSpan.FromHours(1), TimeProvider.System);
        using var cts = new CancellationTokenSource();
        await limiter.WaitAsync(cts.Token);
        await limiter.WaitAsync(cts.Token);
        await limiter.WaitAsync(cts.Token);

        var fourth = limiter.WaitAsync(cts.Token);
        fourth.IsCompleted.Should().BeFalse("the fourth attempt within the window must wait");
        await cts.CancelAsync();
        await FluentActions.Awaiting(() => fourth).Should().ThrowAsync<OperationCanceledException>();
    }
}
