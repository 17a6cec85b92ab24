using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;

namespace TradeStat.Infrastructure.Feed;

/// <summary>
/// The one gate every Binance REST request of the process passes (one instance, shared by all REST clients through
/// <see cref="RestWeightHandler"/>). <see cref="AcquireAsync"/> waits, never refuses, until
/// <list type="bullet">
/// <item>no 429/418 block is in force (a request started after a block began waits for its end),</item>
/// <item>fewer than <see cref="BinanceOptions.MaxConcurrentRestRequests"/> requests are in flight, so that when a 429
/// arrives only those few can still be outstanding, and</item>
/// <item>the request's weight fits in <see cref="Budget"/> for the current window.</item>
/// </list>
/// Windows are fixed and aligned to multiples of <see cref="BinanceOptions.RestWeightWindow"/> since the Unix epoch (by
/// <see cref="TimeProvider.GetUtcNow"/>), like Binance's: a burst at a window's end followed by one at the next
/// window's start each stay within their own window, which is how the server counts them. Waiters are served first in,
/// first out, so a heavy request is not starved by light ones. <see cref="Observe"/> feeds back what the server
/// answered: its <c>X-MBX-USED-WEIGHT-1M</c> raises the local count (other processes on the IP spend weight too),
/// 429 and 418 block every request until their Retry-After.
/// </summary>
internal sealed class RestGovernor : IDisposable
{
    /// <summary>How long a 418 without Retry-After blocks: Binance's shortest ban.</summary>
    public static readonly TimeSpan DefaultBan = TimeSpan.FromMinutes(2);

    /// <summary>The longest block taken from a Retry-After (Binance's longest ban), so a garbled header cannot stop REST for good.</summary>
    public static readonly TimeSpan MaxBlock = TimeSpan.FromDays(3);

    private static readonly long UnixEpochTicks = DateTimeOffset.UnixEpoch.UtcTicks;

    private readonly TimeProvider _time;
    private readonly FeedMetrics _metrics;
    private readonly ILogger _logger;
    private readonly long _windowTicks;
    private readonly int _maxInFlight;
    private readonly Lock _lock = new();
    private readonly ITimer _timer;

    // All below under _lock. Times are UTC ticks.
    private long _window = long.MinValue;
    private long _used;
    private long _blockedUntil;
    private int _inFlight;
    private Waiter? _head;
    private Waiter? _tail;
    private int _waiting;
    private long _throttled;
    private long _bans;
    private long _waitTicks;
    private bool _disposed;

    /// <summary>Creates the governor from <c>Binance:RestWeight*</c> and <c>Binance:MaxConcurrentRestRequests</c>.</summary>
    public RestGovernor(BinanceOptions options, FeedMetrics metrics, TimeProvider time, ILogger<RestGovernor> logger)
    {
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _windowTicks = Math.Max(1, options.RestWeightWindow.Ticks);
        _maxInFlight = Math.Max(1, options.MaxConcurrentRestRequests);
        Budget = Math.Max(1, (int)((long)options.RestWeightLimit * options.RestWeightBudgetPercent / 100));
        _timer = time.CreateTimer(static s => ((RestGovernor)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Weight granted per window at most: the limit times the budget share (a lone request heavier than this still goes, alone in its window).</summary>
    public int Budget { get; }

    /// <summary>Weight counted in the current window: what was granted here, or the server's figure when it reported more.</summary>
    public long UsedWeight
    {
        get
        {
            lock (_lock)
            {
                return WindowOf(Now()) > _window ? 0 : _used;
            }
        }
    }

    /// <summary>Requests granted and not yet released.</summary>
    public int InFlight
    {
        get
        {
            lock (_lock)
            {
                return _inFlight;
            }
        }
    }

    /// <summary>Requests waiting in <see cref="AcquireAsync"/>.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _waiting;
            }
        }
    }

    /// <summary>Answers 429 observed.</summary>
    public long Throttled => Interlocked.Read(ref _throttled);

    /// <summary>Answers 418 observed.</summary>
    public long Bans => Interlocked.Read(ref _bans);

    /// <summary>Until when no request is let through (in the past when no block is in force).</summary>
    public DateTimeOffset BlockedUntil
    {
        get
        {
            lock (_lock)
            {
                return new DateTimeOffset(_blockedUntil, TimeSpan.Zero);
            }
        }
    }

    /// <summary>Time requests have spent waiting in <see cref="AcquireAsync"/>, added up.</summary>
    public TimeSpan WaitTime => TimeSpan.FromTicks(Interlocked.Read(ref _waitTicks));

    /// <summary>
    /// Waits until a request of <paramref name="weight"/> may be sent and charges it; the lease frees the in-flight slot
    /// when disposed (once), which should be as soon as the answer's headers are in. Completes synchronously, without
    /// allocating, when the request may go at once.
    /// </summary>
    public ValueTask<Lease> AcquireAsync(int weight, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(weight);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<Lease>(cancellationToken);
        }

        Waiter waiter;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = Now();
            if (_head is null && TryGrant(weight, now))
            {
                return new ValueTask<Lease>(new Lease(this));
            }

            waiter = new Waiter(this, weight, _time.GetTimestamp(), cancellationToken);
            Enqueue(waiter);

            // Registered under the lock, so no grant can run before the registration is stored for it to undo. Lock is
            // re-entrant: a token cancelled meanwhile runs the callback right here, which is fine.
            if (cancellationToken.CanBeCanceled)
            {
                waiter.Registration = cancellationToken.UnsafeRegister(static s => ((Waiter)s!).Governor.Cancel((Waiter)s), waiter);
            }

            // Not just Arm: the first waiter may fit by now (a window turned before its timer fired), and the new one
            // may be the first.
            Pump(now);
        }

        return new ValueTask<Lease>(waiter.Task);
    }

    /// <summary>
    /// Takes in what the server answered: <paramref name="usedWeightHeader"/> (<c>X-MBX-USED-WEIGHT-1M</c>) raises the
    /// current window's count when higher; 429 blocks every request until <paramref name="retryAfter"/> (or the window's
    /// end) and warns once per block; 418 blocks until <paramref name="retryAfter"/> (or <see cref="DefaultBan"/>) and is
    /// logged as an error.
    /// </summary>
    public void Observe(HttpStatusCode status, int? usedWeightHeader, TimeSpan? retryAfter)
    {
        var code = (int)status;
        bool warn = false, ban = false;
        DateTimeOffset until;
        lock (_lock)
        {
            var now = Now();
            Roll(now);
            // An answer that crossed a window's edge may carry the previous window's figure: counting it in this one only
            // errs on the safe side.
            if (usedWeightHeader is int server && server > _used)
            {
                _used = server;
            }

            if (code != 429 && code != 418)
            {
                return;
            }

            long end;
            if (code == 429)
            {
                Interlocked.Increment(ref _throttled);
                _metrics.AddRest429();
                end = retryAfter is { } wait ? now + Clamp(wait) : WindowStart(WindowOf(now) + 1);
                warn = now >= _blockedUntil;
            }
            else
            {
                Interlocked.Increment(ref _bans);
                _metrics.AddRest418();
                end = now + Clamp(retryAfter ?? DefaultBan);
                ban = true;
            }

            // A block only ever grows. Nothing here can let a waiter through sooner, so there is nothing to pump: a timer
            // armed for an earlier moment finds the block when it fires and re-arms for its end.
            _blockedUntil = Math.Max(_blockedUntil, end);
            until = new DateTimeOffset(_blockedUntil, TimeSpan.Zero);
        }

        if (ban)
        {
            _logger.LogError("Binance answered 418: this IP is banned from REST; no request is sent before {Until:O}", until);
        }
        else if (warn)
        {
            _logger.LogWarning("Binance answered 429: REST weight limit reached; no request is sent before {Until:O}", until);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            while (_head is { } waiter)
            {
                Dequeue(waiter);
                waiter.Registration.Unregister();
                waiter.TrySetException(new ObjectDisposedException(nameof(RestGovernor)));
            }
        }

        _timer.Dispose();
    }

    private void Release()
    {
        lock (_lock)
        {
            Debug.Assert(_inFlight > 0, "A lease is disposed once.");
            if (_inFlight > 0)
            {
                _inFlight--;
            }

            if (!_disposed)
            {
                Pump(Now());
            }
        }
    }

    private void Cancel(Waiter waiter)
    {
        lock (_lock)
        {
            if (!waiter.Queued)
            {
                return;
            }

            Dequeue(waiter);
            waiter.TrySetCanceled(waiter.Token);

            // The head may have changed to a request that fits now.
            Pump(Now());
        }
    }

    private void OnTimer()
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                Pump(Now());
            }
        }
    }

    /// <summary>Grants waiters in order while the first fits, then arms the timer for what the first still waits on.</summary>
    private void Pump(long now)
    {
        while (_head is { } waiter && TryGrant(waiter.Weight, now))
        {
            Dequeue(waiter);
            waiter.Registration.Unregister();
            Interlocked.Add(ref _waitTicks, _time.GetElapsedTime(waiter.Enqueued).Ticks);
            var granted = waiter.TrySetResult(new Lease(this));
            Debug.Assert(granted, "A queued waiter is neither cancelled nor granted.");
        }

        Arm(now);
    }

    private void Arm(long now)
    {
        if (_head is null)
        {
            return;
        }

        long wake;
        if (now < _blockedUntil)
        {
            wake = _blockedUntil;
        }
        else if (_inFlight >= _maxInFlight)
        {
            // A release pumps.
            return;
        }
        else
        {
            // The first waiter does not fit in this window's budget.
            wake = WindowStart(WindowOf(now) + 1);
        }

        // Whole milliseconds, rounded up: timers count in them, and one due a fraction early would only fire again.
        var due = TimeSpan.FromMilliseconds(Math.Ceiling((double)(wake - now) / TimeSpan.TicksPerMillisecond));
        _timer.Change(due, Timeout.InfiniteTimeSpan);
    }

    private bool TryGrant(int weight, long now)
    {
        Roll(now);
        if (now < _blockedUntil || _inFlight >= _maxInFlight || (_used > 0 && _used + weight > Budget))
        {
            return false;
        }

        _used += weight;
        _inFlight++;
        _metrics.AddRestWeight(weight);
        return true;
    }

    private void Roll(long now)
    {
        // Only forward: a wall clock stepped back keeps the window it has, whose count is the safer one.
        var window = WindowOf(now);
        if (window > _window)
        {
            _window = window;
            _used = 0;
        }
    }

    private long WindowOf(long utcTicks) => (utcTicks - UnixEpochTicks) / _windowTicks;

    private long WindowStart(long window) => (window * _windowTicks) + UnixEpochTicks;

    private long Now() => _time.GetUtcNow().UtcTicks;

    private static long Clamp(TimeSpan wait) => Math.Clamp(wait.Ticks, 0, MaxBlock.Ticks);

    private void Enqueue(Waiter waiter)
    {
        waiter.Queued = true;
        waiter.Previous = _tail;
        if (_tail is null)
        {
            _head = waiter;
        }
        else
        {
            _tail.Next = waiter;
        }

        _tail = waiter;
        _waiting++;
    }

    private void Dequeue(Waiter waiter)
    {
        if (waiter.Previous is null)
        {
            _head = waiter.Next;
        }
        else
        {
            waiter.Previous.Next = waiter.Next;
        }

        if (waiter.Next is null)
        {
            _tail = waiter.Previous;
        }
        else
        {
            waiter.Next.Previous = waiter.Previous;
        }

        waiter.Previous = waiter.Next = null;
        waiter.Queued = false;
        _waiting--;
    }

    /// <summary>A granted request's in-flight slot; disposing it (once) frees the slot for the next request.</summary>
    public readonly struct Lease : IDisposable
    {
        private readonly RestGovernor? _governor;

        internal Lease(RestGovernor governor) => _governor = governor;

        /// <inheritdoc />
        public void Dispose() => _governor?.Release();
    }

    /// <summary>A request waiting for its turn, linked in the first-in first-out queue (its own links, nothing allocated to queue it).</summary>
    private sealed class Waiter(RestGovernor governor, int weight, long enqueued, CancellationToken token)
        : TaskCompletionSource<Lease>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public readonly RestGovernor Governor = governor;
        public readonly int Weight = weight;
        public readonly long Enqueued = enqueued;
        public readonly CancellationToken Token = token;
        public CancellationTokenRegistration Registration;
        public Waiter? Previous;
        public Waiter? Next;
        public bool Queued;
    }
}
