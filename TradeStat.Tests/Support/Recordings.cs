using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using TradeStat.Domain.Feed;
using TradeStat.Tests.Fakes;

namespace TradeStat.Tests.Support;

/// <summary>
/// The real Binance payloads in <c>TestData/Feed</c> (gzipped in the repository, copied to the test output; see the
/// README there). A missing or damaged recording fails the test that reads it.
/// </summary>
public static class Recordings
{
    public const string BtcUsdt = "btcusdt-trades-2024-08-08.jsonl";
    public const string EthUsdt = "ethusdt-trades-2024-08-08.jsonl";
    public const string ExchangeInfo2022 = "exchangeInfo-2022-03-10.json";
    public const string ExchangeInfo2024 = "exchangeInfo-2024-09-08.json";

    // SHA-256 of each decompressed recording, as listed in TestData/Feed/README.md.
    private static readonly Dictionary<string, string> Sha256 = new(StringComparer.Ordinal)
    {
        [BtcUsdt] = "11038de0c5ef89f9e0737d1b2bf26e372141523905b63e6cf542e0838c84e47f",
        [EthUsdt] = "5cb78aebb20e6e2b7bcb413faa60260cf31396227e183da49df1c499a99d6dc1",
        [ExchangeInfo2022] = "fdfc99af9b39bd2c286f325c69b58fdd5d6e66b12e539b7a0878f2dcf9c7605c",
        [ExchangeInfo2024] = "f349d0f97924e00cf2bab1f871e4ca28c2a8f120fd0b340d8bb892a406656799",
    };

    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "TestData", "Feed");
    private static readonly ConcurrentDictionary<string, Lazy<byte[]>> Decompressed = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, Lazy<string>> Copies = new(StringComparer.Ordinal);

    // One folder per test process, so that concurrent runs never share a half-written copy.
    private static readonly Lazy<string> CopyFolder = new(() =>
        System.IO.Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"tradestat-recordings-{Guid.NewGuid():N}")).FullName);

    /// <summary>The decompressed bytes of a recording (a fresh array: callers may keep or change it).</summary>
    public static byte[] Bytes(string file) => (byte[])Decompressed.GetOrAdd(file, f => new Lazy<byte[]>(() => Decompress(f))).Value.Clone();

    /// <summary>The lines of a recording, as <see cref="File.ReadLines(string)"/> would read them from the decompressed file.</summary>
    public static string[] Lines(string file)
    {
        using var reader = new StreamReader(new MemoryStream(Bytes(file)));
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return [.. lines];
    }

    /// <summary>
    /// Path of a decompressed copy of a recording, for code that reads a file (the service's replay options). The copy
    /// lives in a temporary folder that <see cref="RecordingCopiesCleanup"/> removes after the run.
    /// </summary>
    public static string PathOf(string file) => Copies.GetOrAdd(file, f => new Lazy<string>(() =>
    {
        var path = Path.Combine(CopyFolder.Value, f);
        File.WriteAllBytes(path, Bytes(f));
        return path;
    })).Value;

    /// <summary>The symbols listed in an exchangeInfo file.</summary>
    public static string[] Symbols(string exchangeInfoFile, string? exceptStatus = null)
    {
        using var doc = JsonDocument.Parse(Bytes(exchangeInfoFile));
        return doc.RootElement.GetProperty("symbols").EnumerateArray()
            .Where(s => exceptStatus is null || !(s.TryGetProperty("status", out var status) && status.GetString() == exceptStatus))
            .Select(s => s.GetProperty("symbol").GetString()!).ToArray();
    }

    /// <summary>(symbol, trade id, price string) of every line of a trade recording.</summary>
    public static (string Symbol, long Id, string Price)[] Trades(string file) =>
        RecordedTrades(file).Select(t => (t.Symbol, t.Id, t.Price)).ToArray();

    /// <summary>Every line of a trade recording with its symbol, trade id and price, as the fake exchange publishes them.</summary>
    public static RecordedTrade[] RecordedTrades(string file) =>
        Lines(file).Select(line =>
        {
            using var doc = JsonDocument.Parse(line);
            var data = doc.RootElement.GetProperty("data");
            return new RecordedTrade(data.GetProperty("s").GetString()!, data.GetProperty("t").GetInt64(), data.GetProperty("p").GetString()!, line);
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

    /// <summary>Removes the decompressed copies made by <see cref="PathOf"/>, if any.</summary>
    internal static void DeleteCopies()
    {
        if (CopyFolder.IsValueCreated)
        {
            System.IO.Directory.Delete(CopyFolder.Value, recursive: true);
        }
    }

    private static byte[] Decompress(string file)
    {
        if (!Sha256.TryGetValue(file, out var expected))
        {
            Assert.Fail($"{file} is not one of the recordings listed in Support/Recordings.cs.");
        }

        var gz = Path.Combine(Folder, file + ".gz");
        if (!File.Exists(gz))
        {
            Assert.Fail($"Recording {gz} is missing: TradeStat.Tests/TestData/Feed/{file}.gz belongs to the repository and "
                + "TradeStat.Tests.csproj copies it to the test output; rebuild the test project.");
        }

        using var input = new GZipStream(File.OpenRead(gz), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        var bytes = output.ToArray();
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (actual != expected)
        {
            Assert.Fail($"Recording {gz} decompresses to SHA-256 {actual}, not the {expected} listed in TestData/Feed/README.md.");
        }

        return bytes;
    }
}
