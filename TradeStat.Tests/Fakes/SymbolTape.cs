using System.Globalization;
using System.Text;

namespace TradeStat.Tests.Fakes;

/// <summary>
/// One symbol's trades in id order, how many of them are published and when each was, and their aggregate trades.
/// The stream lines are encoded once here, so that delivering a trade to a connection costs no string work.
/// </summary>
internal sealed class SymbolTape
{
    private readonly long[] _publishedAt;
    private readonly Lock _publishing = new();
    private int _published;

    public SymbolTape(string symbol, RecordedTrade[] trades, long aggregateIdBase)
    {
        Symbol = symbol;
        Stream = symbol.ToLowerInvariant() + "@trade";
        Trades = trades;
        Lines = trades.Select(t => Encoding.UTF8.GetBytes(t.Line)).ToArray();
        _publishedAt = new long[trades.Length];
        Prices = trades.Select(t => ParseDecimal(t.Price)).ToArray();
        Qtys = trades.Select(t => ParseDecimal(t.Qty)).ToArray();
        AggregateIdBase = aggregateIdBase;

        // Binance aggregates the fills of one taker order: consecutive trade ids at one price, one time and one side.
        var first = new List<int>();
        var last = new List<int>();
        for (var i = 0; i < trades.Length; i++)
        {
            if (i > 0 && trades[i].Id == trades[i - 1].Id + 1 && Prices[i] == Prices[i - 1]
                && trades[i].Time == trades[i - 1].Time && trades[i].BuyerMaker == trades[i - 1].BuyerMaker)
            {
                last[^1] = i;
            }
            else
            {
                first.Add(i);
                last.Add(i);
            }
        }

        AggregateFirst = [.. first];
        AggregateLast = [.. last];
        AggregateQty = new string[AggregateFirst.Length];
        for (var a = 0; a < AggregateFirst.Length; a++)
        {
            var sum = 0m;
            for (var i = AggregateFirst[a]; i <= AggregateLast[a]; i++)
            {
                sum += Qtys[i];
            }

            AggregateQty[a] = Format8(sum);
        }
    }

    public string Symbol { get; }

    /// <summary>The trade stream name, <c>symbol@trade</c> in lower case.</summary>
    public string Stream { get; }

    public RecordedTrade[] Trades { get; }

    /// <summary>UTF-8 of each trade's combined-stream line.</summary>
    public byte[][] Lines { get; }

    public decimal[] Prices { get; }

    public decimal[] Qtys { get; }

    /// <summary>The aggregate id of aggregate 0; the others follow one by one.</summary>
    public long AggregateIdBase { get; }

    /// <summary>Index (into <see cref="Trades"/>) of each aggregate's first trade.</summary>
    public int[] AggregateFirst { get; }

    /// <summary>Index of each aggregate's last trade (increasing).</summary>
    public int[] AggregateLast { get; }

    /// <summary>Each aggregate's summed quantity, 8 decimals.</summary>
    public string[] AggregateQty { get; }

    /// <summary>How many trades are published (the first ones, in id order).</summary>
    public int Published => Volatile.Read(ref _published);

    public bool Finished => Published >= Trades.Length;

    /// <summary>Publishes up to <paramref name="count"/> more trades at <paramref name="nowTicks"/> (UTC ticks); returns how many.</summary>
    public int Publish(int count, long nowTicks)
    {
        lock (_publishing)
        {
            var from = _published;
            var to = (int)Math.Min(Trades.Length, (long)from + Math.Max(0, count));
            for (var i = from; i < to; i++)
            {
                _publishedAt[i] = nowTicks;
            }

            // The times are written before the count that makes them readable.
            Volatile.Write(ref _published, to);
            return to - from;
        }
    }

    /// <summary>
    /// How many trades the database shows at <paramref name="nowTicks"/>: those published at least <paramref name="lag"/>
    /// ago (a prefix, since publish times never decrease along the tape).
    /// </summary>
    public int VisibleInDatabase(long nowTicks, TimeSpan lag)
    {
        var published = Published;
        if (lag <= TimeSpan.Zero)
        {
            return published;
        }

        var cutoff = nowTicks - lag.Ticks;
        int lo = 0, hi = published;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (Volatile.Read(ref _publishedAt[mid]) <= cutoff)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Aggregates whose every trade is among the first <paramref name="visibleTrades"/>: an aggregate is stored whole.</summary>
    public int VisibleAggregates(int visibleTrades)
    {
        int lo = 0, hi = AggregateLast.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (AggregateLast[mid] < visibleTrades)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Index of the first trade with id at least <paramref name="id"/> (the trade count when none).</summary>
    public int IndexOfId(long id)
    {
        int lo = 0, hi = Trades.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (Trades[mid].Id < id)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    public static string Format8(decimal value) => Math.Round(value, 8, MidpointRounding.ToEven).ToString("F8", CultureInfo.InvariantCulture);

    private static decimal ParseDecimal(string text) =>
        decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) ? value : 0m;
}
