using System.Globalization;

namespace TradeStat.Infrastructure.Feed;

/// <summary>
/// The REQUEST_WEIGHT Binance charges per spot REST request (the one place these constants live). Routes whose weight
/// depends on their parameters (depth's <c>limit</c>, the tickers' <c>symbol</c>/<c>symbols</c>) are priced from the
/// query as Binance documents; a route not listed here is charged <see cref="Default"/>, and the answer's
/// <c>X-MBX-USED-WEIGHT-1M</c> corrects the count afterwards if the server charged more.
/// </summary>
internal static class RestWeights
{
    /// <summary>What an unlisted route is charged (ping and time weigh this).</summary>
    public const int Default = 1;

    /// <summary><c>GET /api/v3/exchangeInfo</c>.</summary>
    public const int ExchangeInfo = 20;

    /// <summary><c>GET /api/v3/historicalTrades</c>.</summary>
    public const int HistoricalTrades = 25;

    /// <summary><c>GET /api/v3/trades</c>.</summary>
    public const int Trades = 25;

    /// <summary><c>GET /api/v3/aggTrades</c>.</summary>
    public const int AggTrades = 4;

    /// <summary><c>GET /api/v3/klines</c>, <c>/api/v3/uiKlines</c> and <c>/api/v3/avgPrice</c>.</summary>
    public const int Klines = 2;

    /// <summary>The heaviest <c>GET /api/v3/depth</c> (limit over 1000).</summary>
    public const int DepthMax = 250;

    /// <summary><c>GET /api/v3/ticker/24hr</c> for all symbols (or more than 100 in <c>symbols</c>).</summary>
    public const int Ticker24hAll = 80;

    /// <summary>The cap of <c>GET /api/v3/ticker</c> and <c>/api/v3/ticker/tradingDay</c> (4 per symbol up to it).</summary>
    public const int RollingTickerCap = 200;

    /// <summary>The weight of the request to <paramref name="uri"/> (absolute, or a relative path with its query).</summary>
    public static int Of(Uri? uri)
    {
        if (uri is null)
        {
            return Default;
        }

        return uri.IsAbsoluteUri ? Of(uri.AbsolutePath.AsSpan(), uri.Query.AsSpan()) : Of(uri.OriginalString);
    }

    /// <summary>The weight of a request to <paramref name="pathAndQuery"/>, e.g. <c>/api/v3/depth?symbol=BTCUSDT&amp;limit=500</c>.</summary>
    public static int Of(string pathAndQuery)
    {
        var text = pathAndQuery.AsSpan();
        var q = text.IndexOf('?');
        return q < 0 ? Of(text, []) : Of(text[..q], text[q..]);
    }

    /// <summary>The weight of a request to <paramref name="path"/> with <paramref name="query"/> (with or without its '?').</summary>
    public static int Of(ReadOnlySpan<char> path, ReadOnlySpan<char> query)
    {
        path = path.TrimEnd('/');
        if (query.StartsWith('?'))
        {
            query = query[1..];
        }

        const string V3 = "/api/v3/";
        if (!path.StartsWith(V3, StringComparison.OrdinalIgnoreCase))
        {
            return Default;
        }

        var route = path[V3.Length..];
        if (Is(route, "exchangeInfo"))
        {
            return ExchangeInfo;
        }

        if (Is(route, "historicalTrades"))
        {
            return HistoricalTrades;
        }

        if (Is(route, "trades"))
        {
            return Trades;
        }

        if (Is(route, "aggTrades"))
        {
            return AggTrades;
        }

        if (Is(route, "klines") || Is(route, "uiKlines") || Is(route, "avgPrice"))
        {
            return Klines;
        }

        if (Is(route, "depth"))
        {
            return Depth(query);
        }

        if (Is(route, "ticker/24hr"))
        {
            return Ticker24h(query);
        }

        if (Is(route, "ticker/price") || Is(route, "ticker/bookTicker"))
        {
            // One symbol 2; the whole market or any symbols list 4.
            return Has(query, "symbol") ? 2 : 4;
        }

        if (Is(route, "ticker") || Is(route, "ticker/tradingDay"))
        {
            return RollingTicker(query);
        }

        return Default;
    }

    private static bool Is(ReadOnlySpan<char> route, string name) => route.Equals(name, StringComparison.OrdinalIgnoreCase);

    private static int Depth(ReadOnlySpan<char> query)
    {
        // Binance's default limit is 100; an unreadable one is charged as the default too (Binance refuses the request).
        var limit = TryGet(query, "limit", out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 100;
        return limit switch
        {
            <= 100 => 5,
            <= 500 => 25,
            <= 1000 => 50,
            _ => DepthMax,
        };
    }

    private static int Ticker24h(ReadOnlySpan<char> query)
    {
        if (Has(query, "symbol"))
        {
            return 2;
        }

        if (!TryGet(query, "symbols", out var symbols))
        {
            return Ticker24hAll;
        }

        return CountSymbols(symbols) switch
        {
            <= 20 => 2,
            <= 100 => 40,
            _ => Ticker24hAll,
        };
    }

    private static int RollingTicker(ReadOnlySpan<char> query)
    {
        if (TryGet(query, "symbols", out var symbols))
        {
            return (int)Math.Min(4L * CountSymbols(symbols), RollingTickerCap);
        }

        return 4;
    }

    /// <summary>Entries of a <c>symbols</c> JSON array, raw or percent-encoded: one more than its commas.</summary>
    private static int CountSymbols(ReadOnlySpan<char> value)
    {
        var count = 1;
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == ',')
            {
                count++;
            }
            else if (value[i] == '%' && i + 2 < value.Length && value[i + 1] == '2' && (value[i + 2] == 'C' || value[i + 2] == 'c'))
            {
                count++;
                i += 2;
            }
        }

        return count;
    }

    private static bool Has(ReadOnlySpan<char> query, string name) => TryGet(query, name, out _);

    private static bool TryGet(ReadOnlySpan<char> query, string name, out ReadOnlySpan<char> value)
    {
        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            var eq = pair.IndexOf('=');
            var key = eq < 0 ? pair : pair[..eq];
            if (key.Equals(name, StringComparison.Ordinal))
            {
                value = eq < 0 ? [] : pair[(eq + 1)..];
                return true;
            }
        }

        value = [];
        return false;
    }
}
