using System.Buffers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace TradeStat.Api.Dashboard;

/// <summary>
/// One view of the dashboard shared by every page that shows it: a table of rows (each a JSON object, keyed) and one
/// optional object beside it, polled once per interval while anyone watches, whatever the number of pages. A page gets
/// the whole table once, then only the rows that changed or left, at most one update per interval.
/// </summary>
/// <remarks>
/// Events: <c>snapshot</c> (<c>{"rows":[…],"meta":…}</c>), <c>update</c> (<c>{"rows":[changed…],"removed":[keys…],"meta":…}</c>,
/// meta only when it changed) and <c>ping</c> when nothing changed for a heartbeat. Polling and fan-out run under one
/// lock, so a page that joins between two polls gets the state of the last one and every change after it.
/// </remarks>
public abstract class LiveView : IDisposable
{
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    private readonly Lock _lock = new();
    private readonly List<Channel<SseItem<string>>> _pages = [];
    private readonly SortedDictionary<string, string> _rows = new(StringComparer.Ordinal);
    private readonly List<string> _changed = [];
    private readonly List<string> _removed = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly TimeSpan _interval;
    private readonly TimeSpan _heartbeat;
    private readonly int _maxPending;
    private readonly CancellationToken _stopping;
    private string? _meta;
    private bool _metaChanged;
    private bool _polled;
    private long _lastSent;
    private ITimer? _timer;

    protected LiveView(IOptions<DashboardOptions> options, TimeProvider time, IHostApplicationLifetime lifetime)
    {
        _interval = TimeSpan.FromMilliseconds(options.Value.UpdateIntervalMilliseconds);
        _heartbeat = TimeSpan.FromSeconds(options.Value.HeartbeatSeconds);
        _maxPending = options.Value.MaxPendingUpdates;
        Time = time;
        _stopping = lifetime.ApplicationStopping;
    }

    /// <summary>The clock of the polls.</summary>
    protected TimeProvider Time { get; }

    /// <summary>Pages watching this view now.</summary>
    public int Watchers
    {
        get
        {
            lock (_lock)
            {
                return _pages.Count;
            }
        }
    }

    /// <summary>
    /// The view's events for one page: the snapshot, then the updates, until the page goes, the service stops, or the
    /// page falls <see cref="DashboardOptions.MaxPendingUpdates"/> behind.
    /// </summary>
    public async IAsyncEnumerable<SseItem<string>> Watch([EnumeratorCancellation] CancellationToken cancellation)
    {
        var page = Channel.CreateBounded<SseItem<string>>(new BoundedChannelOptions(_maxPending) { SingleReader = true, SingleWriter = true });
        lock (_lock)
        {
            if (!_polled)
            {
                PollLocked(); // nobody watched: bring the table up to date before it is sent whole
            }

            page.Writer.TryWrite(new SseItem<string>(Snapshot(), "snapshot") { ReconnectionInterval = _interval * 2 });
            _pages.Add(page);
            if (_timer is null)
            {
                _lastSent = Time.GetTimestamp(); // the heartbeat counts from the first snapshot
                _timer = Time.CreateTimer(static view => ((LiveView)view!).Tick(), this, _interval, _interval);
            }
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation, _stopping);
        try
        {
            while (await WaitAsync(page.Reader, stop.Token).ConfigureAwait(false))
            {
                while (page.Reader.TryRead(out var item))
                {
                    yield return item;
                }
            }
        }
        finally
        {
            Leave(page);
        }
    }

    /// <summary>False when the stream is over: the page left, the service is stopping, or the page fell behind.</summary>
    private static async Task<bool> WaitAsync(ChannelReader<SseItem<string>> reader, CancellationToken stop)
    {
        try
        {
            return await reader.WaitToReadAsync(stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // An ordinary end, not an error: the stream closes cleanly.
            return false;
        }
    }

    /// <summary>
    /// Reads the current state into the table: <see cref="SetRow"/> for every row present now (unchanged rows cost a
    /// string comparison), <see cref="SetMeta"/> for the object beside it. Rows not set are removed.
    /// </summary>
    protected abstract void Poll();

    /// <summary>Sets the row <paramref name="key"/> to <paramref name="json"/>, a JSON object.</summary>
    protected void SetRow(string key, string json)
    {
        _seen.Add(key);
        if (!_rows.TryGetValue(key, out var old) || !string.Equals(old, json, StringComparison.Ordinal))
        {
            _rows[key] = json;
            _changed.Add(key);
        }
    }

    /// <summary>Keeps the row <paramref name="key"/> as it is (the view knows it did not change).</summary>
    protected void KeepRow(string key) => _seen.Add(key);

    /// <summary>True when the table holds the row <paramref name="key"/>.</summary>
    protected bool HasRow(string key) => _rows.ContainsKey(key);

    /// <summary>Sets the object beside the table.</summary>
    protected void SetMeta(string json)
    {
        if (!string.Equals(_meta, json, StringComparison.Ordinal))
        {
            _meta = json;
            _metaChanged = true;
        }
    }

    /// <summary>Writes a JSON object with <paramref name="write"/> and returns it as text (views call this under the view's lock).</summary>
    protected string Json(Action<Utf8JsonWriter> write)
    {
        _buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(_buffer, WriterOptions))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(_buffer.WrittenSpan);
    }

    public void Dispose()
    {
        _timer?.Dispose();
        GC.SuppressFinalize(this);
    }

    private void Tick()
    {
        lock (_lock)
        {
            if (_pages.Count == 0)
            {
                return;
            }

            PollLocked();
            string? update = null;
            string type;
            if (_changed.Count > 0 || _removed.Count > 0 || _metaChanged)
            {
                update = Update();
                type = "update";
            }
            else if (Time.GetElapsedTime(_lastSent) >= _heartbeat)
            {
                type = "ping";
            }
            else
            {
                return;
            }

            _lastSent = Time.GetTimestamp();
            var item = new SseItem<string>(update ?? "{}", type);
            for (var i = _pages.Count - 1; i >= 0; i--)
            {
                if (!_pages[i].Writer.TryWrite(item))
                {
                    // Too far behind: end its stream; the page reconnects and starts again from a snapshot.
                    _pages[i].Writer.TryComplete();
                    _pages.RemoveAt(i);
                }
            }
        }
    }

    private void PollLocked()
    {
        _changed.Clear();
        _removed.Clear();
        _seen.Clear();
        _metaChanged = false;
        Poll();
        if (_seen.Count != _rows.Count)
        {
            foreach (var key in _rows.Keys)
            {
                if (!_seen.Contains(key))
                {
                    _removed.Add(key);
                }
            }

            foreach (var key in _removed)
            {
                _rows.Remove(key);
            }
        }

        _polled = true;
    }

    private void Leave(Channel<SseItem<string>> page)
    {
        lock (_lock)
        {
            _pages.Remove(page);
            if (_pages.Count == 0)
            {
                // Nobody watches: stop polling; the next page brings the table up to date first.
                _timer?.Dispose();
                _timer = null;
                _polled = false;
            }
        }
    }

    private string Snapshot()
    {
        var text = new StringBuilder(64 + (_rows.Count * 128));
        text.Append("{\"rows\":[");
        var first = true;
        foreach (var row in _rows.Values)
        {
            text.Append(first ? "" : ",").Append(row);
            first = false;
        }

        text.Append(']');
        if (_meta is not null)
        {
            text.Append(",\"meta\":").Append(_meta);
        }

        return text.Append('}').ToString();
    }

    private string Update()
    {
        var text = new StringBuilder(64 + (_changed.Count * 128));
        text.Append("{\"rows\":[");
        for (var i = 0; i < _changed.Count; i++)
        {
            text.Append(i == 0 ? "" : ",").Append(_rows[_changed[i]]);
        }

        text.Append("],\"removed\":").Append(JsonSerializer.Serialize(_removed, DashboardJsonContext.Default.ListString));
        if (_metaChanged && _meta is not null)
        {
            text.Append(",\"meta\":").Append(_meta);
        }

        return text.Append('}').ToString();
    }
}
