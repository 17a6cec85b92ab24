using TradeStat.Domain.Feed;

namespace TradeStat.Api.Dashboard;

/// <summary>
/// The recent past of every feed symbol for the dashboard's detail chart: its last price and median, sampled once per
/// <see cref="SampleInterval"/> while the feed runs (whether or not a page is open), a sample only when the symbol
/// traded since the previous one, the last <see cref="Capacity"/> samples kept per symbol.
/// </summary>
/// <remarks>
/// Memory is bounded: a symbol's ring is allocated when it first trades and holds <see cref="Capacity"/> samples of
/// three longs, whatever the feed's rate. A sample pass costs one snapshot per symbol; <see cref="Get"/> copies one ring.
/// </remarks>
public sealed class FeedHistory
{
    /// <summary>Samples kept per symbol.</summary>
    public const int Capacity = 300;

    /// <summary>How often every symbol is looked at.</summary>
    public static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Ring> _rings = new(StringComparer.Ordinal);
    private readonly IFeedService _feed;
    private readonly TimeProvider _time;

    public FeedHistory(IFeedService feed, TimeProvider time)
    {
        _feed = feed;
        _time = time;
    }

    /// <summary>Samples every symbol that traded since its previous sample.</summary>
    public void Sample()
    {
        if (!_feed.IsEnabled)
        {
            return;
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var symbols = _feed.Symbols;
        lock (_lock)
        {
            for (var i = 0; i < symbols.Count; i++)
            {
                if (_feed.Get(symbols[i]) is not { LastHalfUnits: { } last } snapshot)
                {
                    continue;
                }

                if (!_rings.TryGetValue(snapshot.Symbol, out var ring))
                {
                    ring = new Ring();
                    _rings.Add(snapshot.Symbol, ring);
                }

                ring.Add(now, snapshot.Count, last, snapshot.MedianHalfUnits);
            }

            if (_rings.Count > symbols.Count)
            {
                ForgetSymbolsThatLeft(symbols);
            }
        }
    }

    /// <summary>Drops the rings of symbols no longer in the universe, so memory stays bounded by the universe.</summary>
    private void ForgetSymbolsThatLeft(IReadOnlyList<string> symbols)
    {
        var followed = new HashSet<string>(symbols, StringComparer.Ordinal);
        List<string>? left = null;
        foreach (var symbol in _rings.Keys)
        {
            if (!followed.Contains(symbol))
            {
                (left ??= []).Add(symbol);
            }
        }

        if (left is not null)
        {
            foreach (var symbol in left)
            {
                _rings.Remove(symbol);
            }
        }
    }

    /// <summary>
    /// The samples of <paramref name="symbol"/> (case-insensitive), oldest first; null when the feed does not follow it.
    /// </summary>
    public Samples? Get(string symbol)
    {
        if (!_feed.IsEnabled || _feed.Get(symbol) is not { } snapshot)
        {
            return null;
        }

        lock (_lock)
        {
            return _rings.TryGetValue(snapshot.Symbol, out var ring) ? ring.ToSamples(snapshot.Symbol) : new Samples(snapshot.Symbol, [], [], []);
        }
    }

    /// <summary>A symbol's samples as the feed spells it: times (ms since the Unix epoch), last prices and medians in half-units.</summary>
    public sealed record Samples(string Symbol, long[] Times, long[] Last, long?[] Median);

    /// <summary>A fixed ring of samples; the count is kept to tell a new trade from none.</summary>
    private sealed class Ring
    {
        private readonly long[] _times = new long[Capacity];
        private readonly long[] _last = new long[Capacity];
        private readonly long[] _median = new long[Capacity];
        private long _count = -1;
        private int _next;
        private int _length;

        public void Add(long time, long count, long last, long? median)
        {
            if (count == _count)
            {
                return;
            }

            _count = count;
            _times[_next] = time;
            _last[_next] = last;
            _median[_next] = median ?? long.MinValue;
            _next = (_next + 1) % Capacity;
            _length = Math.Min(_length + 1, Capacity);
        }

        public Samples ToSamples(string symbol)
        {
            var times = new long[_length];
            var last = new long[_length];
            var median = new long?[_length];
            var start = (_next - _length + Capacity) % Capacity;
            for (var i = 0; i < _length; i++)
            {
                var at = (start + i) % Capacity;
                times[i] = _times[at];
                last[i] = _last[at];
                median[i] = _median[at] == long.MinValue ? null : _median[at];
            }

            return new Samples(symbol, times, last, median);
        }
    }
}
