using TradeStat.Infrastructure.Feed;

namespace TradeStat.Tests.Unit.Infrastructure.Feed;

/// <summary>
/// <see cref="RequestPacer"/> on a clock the test moves: against a naive reference (every earlier send scanned), and
/// the bound Binance sets: with the server's pings answered, no second holds 5 messages from the client.
/// </summary>
[TestFixture]
[Category("Unit")]
public sealed class RequestPacerTests
{
    [Test]
    public void Sends_match_the_naive_earliest_time_and_no_second_holds_more_than_3([Range(1, 50)] int seed)
    {
        var random = new Random(seed);
        var clock = new ManualClock();
        var max = random.Next(1, 5);
        var window = TimeSpan.FromMilliseconds(random.Next(1000, 1300));
        var pacer = new RequestPacer(max, window, clock);
        var sends = new List<TimeSpan>();
        for (var i = 0; i < 300; i++)
        {
            // Requests come in bursts and pauses, as a refresh or a halved refused batch would send them.
            clock.Now += random.Next(4) == 0 ? TimeSpan.FromMilliseconds(random.Next(0, 2500)) : TimeSpan.Zero;
            var wanted = clock.Now;

            // The reference: the earliest time at or after the wish with fewer than max earlier sends within a window.
            var earliest = wanted;
            while (sends.Count(s => s > earliest - window) >= max)
            {
                earliest = sends.Where(s => s > earliest - window).Min() + window;
            }

            clock.Now += pacer.Delay();
            clock.Now.Should().Be(earliest, $"request {i} (seed {seed})");
            pacer.Delay().Should().Be(TimeSpan.Zero);
            pacer.Sent(clock.GetTimestamp());
            sends.Add(clock.Now);
        }

        for (var i = 0; i + max < sends.Count; i++)
        {
            (sends[i + max] - sends[i]).Should().BeGreaterThanOrEqualTo(window, "no window holds more than max requests");
        }
    }

    [Test]
    public void Requests_and_a_pong_never_make_5_messages_in_a_second([Range(1, 30)] int seed)
    {
        // Default pacing, requests wanted as fast as possible, and a pong at an arbitrary moment of every ping interval.
        var random = new Random(seed);
        var clock = new ManualClock();
        var options = new BinanceOptions();
        var pacer = new RequestPacer(options.MaxRequestsPerSecond, RequestPacer.Window, clock);
        var messages = new List<TimeSpan>();
        for (var i = 0; i < 200; i++)
        {
            clock.Now += TimeSpan.FromMilliseconds(random.Next(0, 50));
            clock.Now += pacer.Delay();
            pacer.Sent(clock.GetTimestamp());
            messages.Add(clock.Now);
        }

        var end = messages[^1];
        for (var ping = TimeSpan.Zero; ping < end; ping += TimeSpan.FromSeconds(20))
        {
            messages.Add(ping + TimeSpan.FromMilliseconds(random.Next(0, 20_000)));
        }

        messages.Sort();
        for (var i = 0; i < messages.Count; i++)
        {
            var inSecond = messages.Count(m => m >= messages[i] && m < messages[i] + TimeSpan.FromSeconds(1));
            inSecond.Should().BeLessThanOrEqualTo(4, $"the second from {messages[i]} (seed {seed})");
        }
    }

    /// <summary>A clock that moves only when the test moves it; timestamps are <see cref="TimeSpan"/> ticks.</summary>
    private sealed class ManualClock : TimeProvider
    {
        public TimeSpan Now { get; set; }

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Now.Ticks;
    }
}
