using System.Diagnostics.Tracing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TradeStat.Infrastructure.Diagnostics;

/// <summary>
/// Measures every stop-the-world pause of the garbage collector in-process, from the runtime's own events
/// (SuspendEE begin → RestartEE end), logs the ones over <see cref="GcPauseOptions.GcPauseWarningMs"/> and
/// reports count, total and maximum at shutdown. Costs a handful of events per collection; nothing per request.
/// </summary>
public sealed class GcPauseMonitor : EventListener, IHostedService
{
    private const int SuspendEeBegin = 9;
    private const int RestartEeEnd = 3;
    private const EventKeywords GcKeyword = (EventKeywords)0x1;

    private readonly Lock _lock = new();
    private ILogger<GcPauseMonitor>? _logger;
    private TimeSpan _warnAbove = TimeSpan.FromMilliseconds(GcPauseOptions.DefaultWarningMs);
    private DateTime? _suspendedAt;
    private long _pauses;
    private TimeSpan _total;
    private TimeSpan _max;

    /// <summary>For hosting; <see cref="Start"/> is called by the host.</summary>
    public GcPauseMonitor(ILogger<GcPauseMonitor> logger, IOptions<GcPauseOptions> options)
        : this()
    {
        _logger = logger;
        _warnAbove = TimeSpan.FromMilliseconds(options.Value.GcPauseWarningMs);
    }

    /// <summary>For tests: a monitor without logging.</summary>
    public GcPauseMonitor()
    {
    }

    /// <summary>Pauses seen so far.</summary>
    public long Pauses
    {
        get
        {
            lock (_lock)
            {
                return _pauses;
            }
        }
    }

    /// <summary>The longest pause seen so far.</summary>
    public TimeSpan MaxPause
    {
        get
        {
            lock (_lock)
            {
                return _max;
            }
        }
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _logger?.LogInformation(
                "GC pauses: {Count}, total {TotalMs:F1} ms, longest {MaxMs:F1} ms",
                _pauses,
                _total.TotalMilliseconds,
                _max.TotalMilliseconds);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Informational, GcKeyword);
        }
    }

    /// <inheritdoc />
    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        switch (eventData.EventId)
        {
            case SuspendEeBegin:
                lock (_lock)
                {
                    _suspendedAt = eventData.TimeStamp;
                }

                break;
            case RestartEeEnd:
                TimeSpan pause;
                lock (_lock)
                {
                    if (_suspendedAt is not { } start)
                    {
                        return;
                    }

                    pause = eventData.TimeStamp - start;
                    _suspendedAt = null;
                    _pauses++;
                    _total += pause;
                    _max = pause > _max ? pause : _max;
                }

                if (_warnAbove > TimeSpan.Zero && pause > _warnAbove)
                {
                    _logger?.LogWarning("GC pause of {PauseMs:F1} ms (over {LimitMs} ms)", pause.TotalMilliseconds, _warnAbove.TotalMilliseconds);
                }

                break;
        }
    }
}
