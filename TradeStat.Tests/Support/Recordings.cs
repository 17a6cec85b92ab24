using System.Text.Json;
using TradeStat.Domain.Feed;
using TradeStat.Infrastructure.Feed;

namespace TradeStat.Tests.Support;

/// <summary>
/// The real Binance payloads of <c>../shared/data/binance</c> (see its README): found by walking up from the test
/// binaries, or at <c>TRADESTAT_DATA_DIR</c>. Tests that need them are ignored, with a message, when they are absent.
/// </summary>
public static class Recordings
{
    public const string BtcUsdt = "btcusdt-trades-2024-08-08.jsonl";
    public const string EthUsdt = "ethusdt-trades-2024-08-08.jsonl";
    public const string ExchangeInfo2022 = "exchangeInfo-2022-03-10.json";
    public const string ExchangeInfo2024 = "exchangeInfo-2024-09-08.json";

    private static readonly Lazy<string?> Directory = new(Locate);

    /// <summary>Full path of a recording; ignores the test when the data directory cannot be found.</summary>
    public static string PathOf(string file)
    {
        var dir = Directory.Value;
        if (dir is null)
        {
            Assert.Ignore("Recordings not found: set TRADESTAT_DATA_DIR to shared/data/binance.");
        }

        return Path.Combine(dir!, file);
    }

    /// <summary>The symbols listed in an exchangeInfo file.</summary>
    public static string[] Symbols(string exchangeInfoFile)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(PathOf(exchangeInfoFile)));
        return doc.RootElement.GetProperty("symbols").EnumerateArray().Select(s => s.GetProperty("symbol").GetString()!).ToArray();
    }

    /// <summary>(symbol, trade id, price string) of every line of a trade recording.</summary>
    public static (string Symbol, long Id, string Price)[] Trades(string file) =>
        File.ReadLines(PathOf(file)).Select(line =>
        {
            using var doc = JsonDocument.Parse(line);
            var data = doc.RootElement.GetProperty("data");
            return (data.GetProperty("s").GetString()!, data.GetProperty("t").GetInt64(), data.GetProperty("p").GetString()!);
        }).ToArray();

    /// <summary>The median of the prices by sorting them all (the reference), as an exact decimal.</summary>
    public static decimal SortedMedian(IEnumerable<string> prices)
    {
        var sorted = prices.Select(p => decimal.Parse(p, System.Globalization.CultureInfo.InvariantCulture)).Order().ToArray();
        var n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
    }

    /// <summary>Median half-units as a decimal.</summary>
    public static decimal ToDecimal(long halfUnits) => ScaledPrice.ToDecimal(halfUnits);

    private static string? Locate()
    {
        var fromEnv = Environment.GetEnvironmentVariable("TRADESTAT_DATA_DIR");
        if (!string.IsNullOrEmpty(fromEnv) && File.Exists(Path.Combine(fromEnv, BtcUsdt)))
        {
            return fromEnv;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "binance");
            if (File.Exists(Path.Combine(candidate, BtcUsdt)))
            {
                return candidate;
            }
        }

        return null;
    }
}
