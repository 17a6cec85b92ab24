using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TradeStat.Tests.Fakes;

/// <summary>
/// A generated market of many symbols for <see cref="FakeBinanceExchange"/>: an exchangeInfo answer listing
/// <c>listed</c> symbols (the trading ones TRADING, the rest mostly BREAK, some HALT or END_OF_DAY, with the fields of a
/// real entry that the feed may read) and, per trading symbol, trades with exact combined-stream lines. Prices walk on a
/// tick grid and often repeat, and fills often share a time and side, so that aggregate trades form as on Binance.
/// The same arguments always give the same market.
/// </summary>
public sealed class FakeMarket
{
    private FakeMarket(byte[] exchangeInfo, string[] symbols, string[] trading, Dictionary<string, string> status, RecordedTrade[] trades)
    {
        ExchangeInfo = exchangeInfo;
        Symbols = symbols;
        TradingSymbols = trading;
        Status = status;
        Trades = trades;
    }

    /// <summary>The exchangeInfo answer.</summary>
    public byte[] ExchangeInfo { get; }

    /// <summary>Every listed symbol, in exchangeInfo order.</summary>
    public IReadOnlyList<string> Symbols { get; }

    /// <summary>The symbols with status TRADING, in exchangeInfo order: only they have trades.</summary>
    public IReadOnlyList<string> TradingSymbols { get; }

    /// <summary>Each listed symbol's status.</summary>
    public IReadOnlyDictionary<string, string> Status { get; }

    /// <summary>Every trade, grouped by symbol, in id order within a symbol.</summary>
    public RecordedTrade[] Trades { get; }

    /// <summary>The trade stream of every listed symbol, in exchangeInfo order.</summary>
    public IEnumerable<string> Streams => Symbols.Select(StreamOf);

    /// <summary>The trade stream name of a symbol.</summary>
    public static string StreamOf(string symbol) => symbol.ToLowerInvariant() + "@trade";

    /// <summary>
    /// A market of <paramref name="listed"/> symbols, <paramref name="trading"/> of them trading with
    /// <paramref name="tradesPerSymbol"/> trades each, drawn from <paramref name="seed"/>; trade times start at
    /// <paramref name="startTime"/> (Unix ms).
    /// </summary>
    public static FakeMarket Create(int listed, int trading, int tradesPerSymbol, int seed, long startTime = 1_723_161_255_000)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(listed);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(trading, listed);
        ArgumentOutOfRangeException.ThrowIfNegative(tradesPerSymbol);
        var random = new Random(seed);

        var names = new HashSet<string>(StringComparer.Ordinal);
        var bases = new string[listed];
        var quotes = new string[listed];
        var symbols = new string[listed];
        for (var i = 0; i < listed; i++)
        {
            // 26^3 and more names per length: a bounded number of draws always finds a new one.
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var length = random.Next(3, 9);
                var chars = new char[length];
                for (var c = 0; c < length; c++)
                {
                    chars[c] = (char)('A' + random.Next(26));
                }

                var baseAsset = new string(chars);
                var quote = random.Next(10) < 7 ? "USDT" : "BTC";
                if (names.Add(baseAsset + quote))
                {
                    bases[i] = baseAsset;
                    quotes[i] = quote;
                    symbols[i] = baseAsset + quote;
                    break;
                }
            }

            if (symbols[i] is null)
            {
                throw new InvalidOperationException("No new symbol name found.");
            }
        }

        var tradingSet = new HashSet<int>(Enumerable.Range(0, listed).OrderBy(_ => random.Next()).Take(trading));
        var status = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < listed; i++)
        {
            var roll = random.Next(10);
            status[symbols[i]] = tradingSet.Contains(i) ? "TRADING" : roll < 8 ? "BREAK" : roll == 8 ? "HALT" : "END_OF_DAY";
        }

        var trades = new List<RecordedTrade>(trading * tradesPerSymbol);
        var line = new StringBuilder(256);
        for (var i = 0; i < listed; i++)
        {
            if (tradingSet.Contains(i))
            {
                AddTrades(trades, symbols[i], tradesPerSymbol, startTime, random, line);
            }
        }

        var tradingSymbols = symbols.Where((_, i) => tradingSet.Contains(i)).ToArray();
        return new FakeMarket(WriteExchangeInfo(symbols, bases, quotes, status, startTime), symbols, tradingSymbols, status, [.. trades]);
    }

    private static void AddTrades(List<RecordedTrade> trades, string symbol, int count, long startTime, Random random, StringBuilder line)
    {
        var stream = StreamOf(symbol);
        var decimals = random.Next(2, 9);
        var unit = Pow10(8 - decimals); // one tick in units of 1e-8
        var ticks = (long)random.Next(1, 5_000_000);
        var id = random.NextInt64(100_000, 4_000_000_000);
        var time = startTime + random.Next(0, 1000);
        var maker = random.Next(2) == 0;
        for (var k = 0; k < count; k++, id++)
        {
            if (k > 0)
            {
                // Half the fills keep the price; a third share the time of the one before (one taker order's fills).
                if (random.Next(2) == 0)
                {
                    ticks = Math.Max(1, ticks + (random.Next(2) == 0 ? -1 : 1) * random.Next(1, 4));
                }

                if (random.Next(3) != 0)
                {
                    time += random.Next(1, 400);
                }

                if (random.Next(4) == 0)
                {
                    maker = !maker;
                }
            }

            var price = Format8(ticks * unit);
            var qty = Format8(random.NextInt64(1, 10_000_000) * 1000);
            line.Clear()
                .Append("{\"stream\":\"").Append(stream).Append("\",\"data\":{\"e\":\"trade\",\"E\":").Append(time + 1)
                .Append(",\"s\":\"").Append(symbol).Append("\",\"t\":").Append(id)
                .Append(",\"p\":\"").Append(price).Append("\",\"q\":\"").Append(qty)
                .Append("\",\"T\":").Append(time).Append(",\"m\":").Append(maker ? "true" : "false").Append(",\"M\":true}}");
            trades.Add(new RecordedTrade(symbol, id, price, line.ToString(), time, maker, qty));
        }
    }

    // A count of 1e-8 units as Binance writes it: 8 decimals.
    private static string Format8(long units) =>
        (units / 100_000_000).ToString(CultureInfo.InvariantCulture) + "." + (units % 100_000_000).ToString("D8", CultureInfo.InvariantCulture);

    private static long Pow10(int n)
    {
        long value = 1;
        for (var i = 0; i < n; i++)
        {
            value *= 10;
        }

        return value;
    }

    private static byte[] WriteExchangeInfo(string[] symbols, string[] bases, string[] quotes, Dictionary<string, string> status, long serverTime)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("timezone", "UTC");
            w.WriteNumber("serverTime", serverTime);
            w.WriteStartArray("rateLimits");
            WriteLimit(w, "REQUEST_WEIGHT", "MINUTE", 1, 6000);
            WriteLimit(w, "ORDERS", "SECOND", 10, 50);
            WriteLimit(w, "ORDERS", "DAY", 1, 160000);
            WriteLimit(w, "RAW_REQUESTS", "MINUTE", 5, 61000);
            w.WriteEndArray();
            w.WriteStartArray("exchangeFilters");
            w.WriteEndArray();
            w.WriteStartArray("symbols");
            for (var i = 0; i < symbols.Length; i++)
            {
                w.WriteStartObject();
                w.WriteString("symbol", symbols[i]);
                w.WriteString("status", status[symbols[i]]);
                w.WriteString("baseAsset", bases[i]);
                w.WriteNumber("baseAssetPrecision", 8);
                w.WriteString("quoteAsset", quotes[i]);
                w.WriteNumber("quotePrecision", 8);
                w.WriteNumber("quoteAssetPrecision", 8);
                w.WriteBoolean("isSpotTradingAllowed", true);
                w.WriteBoolean("isMarginTradingAllowed", false);
                w.WriteStartArray("permissions");
                w.WriteEndArray();
                w.WriteStartArray("permissionSets");
                w.WriteStartArray();
                w.WriteStringValue("SPOT");
                w.WriteEndArray();
                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteLimit(Utf8JsonWriter w, string type, string interval, int intervalNum, int limit)
    {
        w.WriteStartObject();
        w.WriteString("rateLimitType", type);
        w.WriteString("interval", interval);
        w.WriteNumber("intervalNum", intervalNum);
        w.WriteNumber("limit", limit);
        w.WriteEndObject();
    }
}
