using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TradeStat.Infrastructure.Feed;

namespace TradeStat.Tests.Unit.Infrastructure.Feed;

[TestFixture]
[Category("Unit")]
public sealed class RestGovernorTests
{
    private static readonly DateTimeOffset Start = new(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void Matches_a_naive_model_on_random_sequences([Range(1, 300)] int variant)
    {
        // Requests, releases, cancellations, server answers (headers, 429, 418) and clock jumps in random order. The clock
        // is stepped through every moment at which a waiter could be let through (window starts, block ends), so each
        // grant's time is seen; after every step all observable figures must equal the model's.
        var random = new Random(variant);
        var windowMs = random.Next(5, 1000);
        var options = new BinanceOptions
        {
            RestWeightLimit = random.Next(10, 400),
            RestWeightBudgetPercent = random.Next(1, 101),
            RestWeightWindow = TimeSpan.FromMilliseconds(windowMs),
            MaxConcurrentRestRequests = random.Next(1, 6),
        };
        var time = new FakeTimeProvider();
        time.SetUtcNow(Start.AddMilliseconds(random.Next(0, 100_000)));
        var logger = new RecordingLogger();
        using var metrics = new FeedMetrics();
        using var governor = new RestGovernor(options, metrics, time, logger);
        var model = new Model(governor.Budget, TimeSpan.FromMilliseconds(windowMs).Ticks, options.MaxConcurrentRestRequests, time.GetUtcNow().UtcTicks);
        var driver = new Driver(governor, model, time, logger, metrics);

        for (var step = 0; step < 400; step++)
        {
            var roll = random.Next(100);
            if (roll < 35)
            {
                // Mostly light requests, the table's weights, and now and then one heavier than the whole budget.
                var weight = random.Next(20) switch
                {
                    0 => governor.Budget + random.Next(1, 10),
                    < 8 => random.Next(1, Math.Max(2, governor.Budget / 3)),
                    < 14 => RestWeights.HistoricalTrades,
                    _ => random.Next(1, 5),
                };
                driver.Acquire(weight, cancellable: random.Next(2) == 0);
            }
            else if (roll < 55)
            {
                driver.ReleaseAny(random);
            }
            else if (roll < 62)
            {
                driver.CancelAny(random);
            }
            else if (roll < 75)
            {
                var status = random.Next(10) switch
                {
                    < 5 => HttpStatusCode.OK,
                    < 8 => HttpStatusCode.TooManyRequests,
                    _ => (HttpStatusCode)418,
                };
                int? header = random.Next(3) == 0 ? null : random.Next(0, governor.Budget * 2);
                TimeSpan? retryAfter = random.Next(3) == 0 ? null : TimeSpan.FromMilliseconds(random.Next(0, windowMs * 3));
                driver.Observe(status, header, retryAfter);
            }
            else if (model.BlockedUntil > model.Now && random.Next(2) == 0)
            {
                driver.Advance(TimeSpan.FromTicks(model.BlockedUntil - model.Now) + TimeSpan.FromMilliseconds(random.Next(0, windowMs)));
            }
            else
            {
                var jump = random.Next(10) == 0 ? random.Next(0, windowMs * 10) : random.Next(0, windowMs * 2);
                driver.Advance(TimeSpan.FromMilliseconds(jump));
            }
        }

        // Let everything drain: release what is held and let time pass until nothing waits.
        for (var round = 0; round < 10_000 && (model.Pending.Count > 0 || model.Held.Count > 0); round++)
        {
            driver.ReleaseAny(random);
            driver.Advance(TimeSpan.FromTicks(Math.Max(model.BlockedUntil - model.Now, 0)) + TimeSpan.FromMilliseconds(windowMs));
        }

        model.Pending.Should().BeEmpty("every request is let through in the end: the governor waits, it never drops");
        driver.Dispose();
    }

    [Test]
    public async Task A_request_waits_for_the_next_window_instead_of_failing()
    {
        var (governor, time, _, metrics) = Create(limit: 100, percent: 50, window: TimeSpan.FromMinutes(1));
        time.SetUtcNow(Start.AddSeconds(59));
        using (await governor.AcquireAsync(25, CancellationToken.None))
        using (await governor.AcquireAsync(25, CancellationToken.None))
        {
        }

        governor.UsedWeight.Should().Be(50);
        var third = governor.AcquireAsync(1, CancellationToken.None).AsTask();
        third.IsCompleted.Should().BeFalse("the budget of this window (half of 100) is spent");

        time.Advance(TimeSpan.FromMilliseconds(999));
        third.IsCompleted.Should().BeFalse();
        time.Advance(TimeSpan.FromMilliseconds(1));
        (await third).Dispose();

        governor.UsedWeight.Should().Be(1, "the new window's count starts from zero");
        governor.WaitTime.Should().Be(TimeSpan.FromSeconds(1));
        metrics.RestWeight.Should().Be(51);
    }

    [Test]
    public async Task Windows_are_aligned_to_the_epoch_so_bursts_across_an_edge_stay_within_each_window()
    {
        // A sliding window would let the second burst wait a whole window; a window aligned elsewhere than Binance's would
        // let both bursts land in one server window. Aligned: each burst fills its own window exactly.
        var (governor, time, _, _) = Create(limit: 100, percent: 100, window: TimeSpan.FromMinutes(1));
        time.SetUtcNow(Start.AddSeconds(59.5));
        for (var i = 0; i < 5; i++)
        {
            (await governor.AcquireAsync(20, CancellationToken.None)).Dispose();
        }

        var waiter = governor.AcquireAsync(1, CancellationToken.None).AsTask();
        waiter.IsCompleted.Should().BeFalse("this window's budget is spent");
        time.Advance(TimeSpan.FromMilliseconds(500));
        (await waiter).Dispose();
        governor.UsedWeight.Should().Be(1, "the waiter went first at the window's start");
        for (var i = 0; i < 4; i++)
        {
            (await governor.AcquireAsync(20, CancellationToken.None)).Dispose();
        }

        governor.UsedWeight.Should().Be(81);
        governor.AcquireAsync(20, CancellationToken.None).AsTask().IsCompleted.Should().BeFalse();
    }

    [Test]
    public async Task A_request_heavier_than_the_budget_goes_alone_in_a_fresh_window()
    {
        var (governor, time, _, _) = Create(limit: 40, percent: 50, window: TimeSpan.FromSeconds(1));
        time.SetUtcNow(Start);
        (await governor.AcquireAsync(1, CancellationToken.None)).Dispose();

        var heavy = governor.AcquireAsync(RestWeights.HistoricalTrades, CancellationToken.None).AsTask();
        heavy.IsCompleted.Should().BeFalse("weight is already counted in this window");
        var light = governor.AcquireAsync(1, CancellationToken.None).AsTask();
        light.IsCompleted.Should().BeFalse("waiters are served in order");

        time.Advance(TimeSpan.FromSeconds(1));
        (await heavy).Dispose();
        light.IsCompleted.Should().BeFalse("nothing joins a window already over its budget");
        time.Advance(TimeSpan.FromSeconds(1));
        (await light).Dispose();
    }

    [Test]
    public async Task The_server_count_raises_the_local_one_and_never_lowers_it()
    {
        var (governor, time, _, _) = Create(limit: 6000, percent: 50, window: TimeSpan.FromMinutes(1));
        time.SetUtcNow(Start);
        using (await governor.AcquireAsync(20, CancellationToken.None))
        {
            governor.Observe(HttpStatusCode.OK, 2990, null);
        }

        governor.UsedWeight.Should().Be(2990, "other processes on the IP spent weight too");
        governor.Observe(HttpStatusCode.OK, 100, null);
        governor.UsedWeight.Should().Be(2990);

        (await governor.AcquireAsync(10, CancellationToken.None)).Dispose();
        governor.AcquireAsync(1, CancellationToken.None).AsTask().IsCompleted.Should().BeFalse("3000 is the budget");
    }

    [Test]
    public async Task A_429_blocks_every_request_until_Retry_After_and_warns_once()
    {
        var (governor, time, logger, metrics) = Create();
        time.SetUtcNow(Start);
        var lease = await governor.AcquireAsync(1, CancellationToken.None);

        governor.Observe(HttpStatusCode.TooManyRequests, 6001, TimeSpan.FromSeconds(7));
        governor.Observe(HttpStatusCode.TooManyRequests, 6001, TimeSpan.FromSeconds(7));
        lease.Dispose();

        var next = governor.AcquireAsync(1, CancellationToken.None).AsTask();
        next.IsCompleted.Should().BeFalse("a request started after a 429 waits for its Retry-After");
        governor.BlockedUntil.Should().Be(Start.AddSeconds(7));
        time.Advance(TimeSpan.FromMilliseconds(6999));
        next.IsCompleted.Should().BeFalse();
        time.Advance(TimeSpan.FromMilliseconds(1));
        next.IsCompleted.Should().BeFalse("the server's count (over the limit) holds this window's budget until the window ends");
        time.Advance(TimeSpan.FromSeconds(53));
        (await next).Dispose();

        governor.Throttled.Should().Be(2);
        metrics.Rest429.Should().Be(2);
        logger.Events.Where(e => e.Level == LogLevel.Warning).Should().ContainSingle().Which.Message.Should().Contain("429");
    }

    [Test]
    public async Task A_429_without_Retry_After_blocks_until_the_window_ends()
    {
        var (governor, time, _, _) = Create(window: TimeSpan.FromSeconds(10));
        time.SetUtcNow(Start.AddSeconds(3));
        governor.Observe(HttpStatusCode.TooManyRequests, null, null);

        governor.BlockedUntil.Should().Be(Start.AddSeconds(10));
        var next = governor.AcquireAsync(1, CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(6999));
        next.IsCompleted.Should().BeFalse();
        time.Advance(TimeSpan.FromMilliseconds(1));
        (await next).Dispose();
    }

    [Test]
    public async Task A_418_blocks_for_its_Retry_After_is_logged_as_an_error_and_counted()
    {
        var (governor, time, logger, metrics) = Create();
        time.SetUtcNow(Start);
        governor.Observe((HttpStatusCode)418, null, TimeSpan.FromMinutes(10));

        var next = governor.AcquireAsync(1, CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromMilliseconds(1));
        next.IsCompleted.Should().BeFalse("during a ban every call fails: none is sent");
        time.Advance(TimeSpan.FromMilliseconds(1));
        (await next).Dispose();

        governor.Bans.Should().Be(1);
        metrics.Rest418.Should().Be(1);
        logger.Events.Should().ContainSingle().Which.Level.Should().Be(LogLevel.Error);
    }

    [Test]
    public async Task A_418_without_Retry_After_blocks_for_Binances_shortest_ban()
    {
        var (governor, time, _, _) = Create();
        time.SetUtcNow(Start);
        governor.Observe((HttpStatusCode)418, null, null);

        governor.BlockedUntil.Should().Be(Start + RestGovernor.DefaultBan);
        var next = governor.AcquireAsync(1, CancellationToken.None).AsTask();
        time.Advance(RestGovernor.DefaultBan - TimeSpan.FromMilliseconds(1));
        next.IsCompleted.Should().BeFalse();
        time.Advance(TimeSpan.FromMilliseconds(1));
        (await next).Dispose();
    }

    [Test]
    public async Task A_block_only_grows()
    {
        var (governor, time, _, _) = Create();
        time.SetUtcNow(Start);
        governor.Observe((HttpStatusCode)418, null, TimeSpan.FromMinutes(5));
        governor.Observe(HttpStatusCode.TooManyRequests, null, TimeSpan.FromSeconds(1));
        governor.BlockedUntil.Should().Be(Start.AddMinutes(5));

        var next = governor.AcquireAsync(1, CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromMinutes(4));
        next.IsCompleted.Should().BeFalse();
        time.Advance(TimeSpan.FromMinutes(1));
        (await next).Dispose();
    }

    [Test]
    public async Task In_flight_requests_are_limited_and_a_release_lets_the_next_one_through()
    {
        var (governor, time, _, _) = Create(maxConcurrent: 2);
        time.SetUtcNow(Start);
        var first = await governor.AcquireAsync(1, CancellationToken.None);
        using var second = await governor.AcquireAsync(1, CancellationToken.None);

        var third = governor.AcquireAsync(1, CancellationToken.None).AsTask();
        third.IsCompleted.Should().BeFalse();
        governor.InFlight.Should().Be(2);
        first.Dispose();
        (await third).Dispose();
        governor.InFlight.Should().Be(1);
    }

    [Test]
    public async Task A_cancelled_waiter_leaves_the_queue_and_the_next_one_goes()
    {
        var (governor, time, _, _) = Create(limit: 100, percent: 50);
        time.SetUtcNow(Start);
        (await governor.AcquireAsync(40, CancellationToken.None)).Dispose();
        using var cts = new CancellationTokenSource();
        var heavy = governor.AcquireAsync(25, cts.Token).AsTask();
        var light = governor.AcquireAsync(5, CancellationToken.None).AsTask();
        light.IsCompleted.Should().BeFalse("it queues behind the heavy one");

        await cts.CancelAsync();

        await FluentActions.Awaiting(() => heavy).Should().ThrowAsync<OperationCanceledException>();
        (await light).Dispose();
        governor.Waiting.Should().Be(0);
        governor.UsedWeight.Should().Be(45);

        await FluentActions.Awaiting(async () => await governor.AcquireAsync(1, cts.Token)).Should().ThrowAsync<OperationCanceledException>();
        governor.UsedWeight.Should().Be(45, "a request cancelled before it asked is not charged");
    }

    [Test]
    public async Task Many_concurrent_acquirers_never_exceed_the_in_flight_limit()
    {
        const int Limit = 3;
        var (governor, _, _, _) = Create(limit: 1_000_000, percent: 100, maxConcurrent: Limit);
        var inFlight = 0;
        var highest = 0;
        var done = 0;

        async Task Worker()
        {
            for (var i = 0; i < 200; i++)
            {
                using var lease = await governor.AcquireAsync(1 + (i % 3), CancellationToken.None);
                var now = Interlocked.Increment(ref inFlight);
                InterlockedMax(ref highest, now);
                await Task.Yield();
                Interlocked.Decrement(ref inFlight);
                Interlocked.Increment(ref done);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(Worker)));

        done.Should().Be(16 * 200);
        highest.Should().BeLessThanOrEqualTo(Limit);
        governor.InFlight.Should().Be(0);
        governor.Waiting.Should().Be(0);
    }

    [Test]
    public void Disposing_fails_the_waiters()
    {
        var (governor, time, _, _) = Create();
        time.SetUtcNow(Start);
        governor.Observe((HttpStatusCode)418, null, null);
        var waiting = governor.AcquireAsync(1, CancellationToken.None).AsTask();

        governor.Dispose();

        waiting.IsFaulted.Should().BeTrue();
        waiting.Exception!.InnerException.Should().BeOfType<ObjectDisposedException>();
    }

    private static (RestGovernor Governor, FakeTimeProvider Time, RecordingLogger Logger, FeedMetrics Metrics) Create(
        int limit = 6000, int percent = 50, TimeSpan? window = null, int maxConcurrent = 4)
    {
        var options = new BinanceOptions
        {
            RestWeightLimit = limit,
            RestWeightBudgetPercent = percent,
            RestWeightWindow = window ?? TimeSpan.FromMinutes(1),
            MaxConcurrentRestRequests = maxConcurrent,
        };
        var time = new FakeTimeProvider();
        var logger = new RecordingLogger();
        var metrics = new FeedMetrics();
        return (new RestGovernor(options, metrics, time, logger), time, logger, metrics);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var previous = Interlocked.CompareExchange(ref target, value, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }

    /// <summary>
    /// The governor's rules written plainly: a count per window kept forever in a dictionary, the queue a list scanned
    /// from its front, the clock a number.
    /// </summary>
    private sealed class Model(int budget, long windowTicks, int maxInFlight, long now)
    {
        private static readonly long Epoch = DateTimeOffset.UnixEpoch.UtcTicks;
        private readonly Dictionary<long, long> _used = [];

        public int MaxInFlight => maxInFlight;

        public long Now { get; private set; } = now;

        public List<int> Pending { get; } = [];

        public HashSet<int> Held { get; } = [];

        public HashSet<int> Granted { get; } = [];

        public HashSet<int> Cancelled { get; } = [];

        public Dictionary<int, (int Weight, long RequestedAt)> Requests { get; } = [];

        public long BlockedUntil { get; private set; }

        public long Throttled { get; private set; }

        public long Bans { get; private set; }

        public int Warnings { get; private set; }

        public int Errors { get; private set; }

        public long WaitTicks { get; private set; }

        public long Charged { get; private set; }

        public long UsedNow => _used.GetValueOrDefault(Window(Now));

        public long Window(long ticks) => (ticks - Epoch) / windowTicks;

        /// <summary>The next moment after <see cref="Now"/> at which something could be let through: the block's end, else the next window's start.</summary>
        public long NextMoment() => BlockedUntil > Now ? BlockedUntil : ((Window(Now) + 1) * windowTicks) + Epoch;

        public void Acquire(int id, int weight)
        {
            Requests[id] = (weight, Now);
            Pending.Add(id);
            Serve();
        }

        public void Release(int id)
        {
            Held.Remove(id).Should().BeTrue();
            Serve();
        }

        public void Cancel(int id)
        {
            Pending.Remove(id).Should().BeTrue();
            Cancelled.Add(id);
            Serve();
        }

        public void Observe(HttpStatusCode status, int? header, TimeSpan? retryAfter)
        {
            var window = Window(Now);
            if (header is int h && h > _used.GetValueOrDefault(window))
            {
                _used[window] = h;
            }

            if (status == HttpStatusCode.TooManyRequests)
            {
                Throttled++;
                if (Now >= BlockedUntil)
                {
                    Warnings++;
                }

                var end = retryAfter is { } r ? Now + r.Ticks : (window + 1) * windowTicks + Epoch;
                BlockedUntil = Math.Max(BlockedUntil, end);
            }
            else if ((int)status == 418)
            {
                Bans++;
                Errors++;
                BlockedUntil = Math.Max(BlockedUntil, Now + (retryAfter ?? RestGovernor.DefaultBan).Ticks);
            }
        }

        public void MoveTo(long ticks)
        {
            Now = ticks;
            Serve();
        }

        private void Serve()
        {
            while (Pending.Count > 0)
            {
                var id = Pending[0];
                var weight = Requests[id].Weight;
                var used = UsedNow;
                if (Now < BlockedUntil || Held.Count >= maxInFlight || (used > 0 && used + weight > budget))
                {
                    return;
                }

                _used[Window(Now)] = used + weight;
                Charged += weight;
                Pending.RemoveAt(0);
                Held.Add(id);
                Granted.Add(id);
                WaitTicks += Now - Requests[id].RequestedAt;
            }
        }
    }

    /// <summary>Applies each action to the governor and the model, and compares them after every step.</summary>
    private sealed class Driver(RestGovernor governor, Model model, FakeTimeProvider time, RecordingLogger logger, FeedMetrics metrics) : IDisposable
    {
        private readonly Dictionary<int, Task<RestGovernor.Lease>> _tasks = [];
        private readonly Dictionary<int, CancellationTokenSource> _tokens = [];
        private readonly HashSet<int> _seenGranted = [];
        private readonly Dictionary<long, (long Weight, int Count)> _grantedPerWindow = [];
        private int _next;

        public void Acquire(int weight, bool cancellable)
        {
            var id = _next++;
            var token = CancellationToken.None;
            if (cancellable)
            {
                var cts = new CancellationTokenSource();
                _tokens[id] = cts;
                token = cts.Token;
            }

            _tasks[id] = governor.AcquireAsync(weight, token).AsTask();
            model.Acquire(id, weight);
            Compare();
        }

        public void ReleaseAny(Random random)
        {
            if (model.Held.Count == 0)
            {
                return;
            }

            var id = model.Held.ElementAt(random.Next(model.Held.Count));
            _tasks[id].Result.Dispose();
            model.Release(id);
            Compare();
        }

        public void CancelAny(Random random)
        {
            var cancellable = model.Pending.Where(_tokens.ContainsKey).ToList();
            if (cancellable.Count == 0)
            {
                return;
            }

            var id = cancellable[random.Next(cancellable.Count)];
            _tokens[id].Cancel();
            _tasks[id].IsCanceled.Should().BeTrue();
            model.Cancel(id);
            Compare();
        }

        public void Observe(HttpStatusCode status, int? header, TimeSpan? retryAfter)
        {
            governor.Observe(status, header, retryAfter);
            model.Observe(status, header, retryAfter);
            Compare();
        }

        public void Advance(TimeSpan by)
        {
            var target = model.Now + by.Ticks;
            for (var moment = model.NextMoment(); moment <= target; moment = model.NextMoment())
            {
                MoveTo(moment);
            }

            if (target > model.Now)
            {
                MoveTo(target);
            }
        }

        public void Dispose()
        {
            foreach (var cts in _tokens.Values)
            {
                cts.Dispose();
            }
        }

        private void MoveTo(long ticks)
        {
            time.SetUtcNow(new DateTimeOffset(ticks, TimeSpan.Zero));
            model.MoveTo(ticks);
            Compare();
        }

        private void Compare()
        {
            var blockedBefore = governor.BlockedUntil.UtcTicks;
            foreach (var (id, task) in _tasks)
            {
                var expected = model.Granted.Contains(id) ? TaskStatus.RanToCompletion
                    : model.Cancelled.Contains(id) ? TaskStatus.Canceled
                    : TaskStatus.WaitingForActivation;
                if (task.Status != expected)
                {
                    // Checked plainly: this runs for every request after every step, and an assertion object each time would dominate.
                    Assert.Fail($"request {id} (weight {model.Requests[id].Weight}) at {time.GetUtcNow():O}: {task.Status}, the model says {expected}");
                }

                if (expected == TaskStatus.RanToCompletion && _seenGranted.Add(id))
                {
                    // Granted at this very moment: check the rules on what the governor did, not only against the model.
                    model.Now.Should().BeGreaterThanOrEqualTo(blockedBefore, "nothing is let through during a 429/418 block");
                    var window = model.Window(model.Now);
                    var (weight, count) = _grantedPerWindow.GetValueOrDefault(window);
                    _grantedPerWindow[window] = (weight + model.Requests[id].Weight, count + 1);
                }
            }

            foreach (var (weight, count) in _grantedPerWindow.Values)
            {
                if (count > 1)
                {
                    weight.Should().BeLessThanOrEqualTo(governor.Budget, "no aligned window is granted more than the budget");
                }
            }

            governor.InFlight.Should().Be(model.Held.Count).And.BeLessThanOrEqualTo(model.MaxInFlight);
            governor.Waiting.Should().Be(model.Pending.Count);
            governor.UsedWeight.Should().Be(model.UsedNow);
            governor.BlockedUntil.UtcTicks.Should().Be(model.BlockedUntil);
            governor.Throttled.Should().Be(model.Throttled);
            governor.Bans.Should().Be(model.Bans);
            governor.WaitTime.Ticks.Should().Be(model.WaitTicks);
            metrics.RestWeight.Should().Be(model.Charged);
            metrics.Rest429.Should().Be(model.Throttled);
            metrics.Rest418.Should().Be(model.Bans);
            logger.Events.Count(e => e.Level == LogLevel.Warning).Should().Be(model.Warnings);
            logger.Events.Count(e => e.Level == LogLevel.Error).Should().Be(model.Errors);
        }
    }

    internal sealed class RecordingLogger : ILogger<RestGovernor>
    {
        public List<(LogLevel Level, string Message)> Events { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Events.Add((logLevel, formatter(state, exception)));
    }
}
