namespace TradeStat.Infrastructure.Feed;

/// <summary>
/// A plan slot of the feed: its streams and the connections currently serving them. Changes to the streams reach every
/// attached connection under the same lock, so a connection never misses a refresh.
/// </summary>
internal sealed class ConnectionSlot(int index, IEnumerable<string> streams)
{
    private readonly List<string> _streams = [.. streams];
    private readonly List<StreamConnection> _live = [];

    public int Index { get; } = index;

    public Task? Runner { get; set; }

    public IReadOnlyList<string> Snapshot()
    {
        lock (_live)
        {
            return [.. _streams];
        }
    }

    /// <summary>Creates a connection for the current streams and attaches it atomically; null when there are none.</summary>
    public StreamConnection? AttachNew(Func<IReadOnlyList<string>, StreamConnection> create)
    {
        lock (_live)
        {
            if (_streams.Count == 0)
            {
                return null;
            }

            var c = create([.. _streams]);
            _live.Add(c);
            return c;
        }
    }

    public void Detach(StreamConnection c)
    {
        lock (_live)
        {
            _live.Remove(c);
        }
    }

    /// <summary>Detaches every connection (after a failure of the slot's loop) and returns them for disposal.</summary>
    public List<StreamConnection> DetachAll()
    {
        lock (_live)
        {
            var all = new List<StreamConnection>(_live);
            _live.Clear();
            return all;
        }
    }

    public void Remove(HashSet<string> removed)
    {
        lock (_live)
        {
            var gone = _streams.Where(removed.Contains).ToArray();
            if (gone.Length == 0)
            {
                return;
            }

            _streams.RemoveAll(removed.Contains);
            foreach (var c in _live)
            {
                c.Unsubscribe(gone);
            }
        }
    }

    public void Add(Queue<string> added, int max)
    {
        lock (_live)
        {
            var mine = new List<string>();
            while (added.Count > 0 && _streams.Count < max)
            {
                var s = added.Dequeue();
                _streams.Add(s);
                mine.Add(s);
            }

            if (mine.Count > 0)
            {
                foreach (var c in _live)
                {
                    c.Subscribe([.. mine]);
                }
            }
        }
    }
}
