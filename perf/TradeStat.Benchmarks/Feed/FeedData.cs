using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace TradeStat.Benchmarks.Feed;

/// <summary>The real recordings the tests replay (<c>TradeStat.Tests/TestData/Feed</c>, gzipped) as the benchmarks use them.</summary>
internal static class FeedData
{
    public static string Directory { get; } = Locate();

    /// <summary>
    /// Both trade recordings interleaved by trade time, repeated <paramref name="copies"/> times with trade ids shifted so
    /// that every copy continues its symbol's id sequence (each message is a new trade, none a duplicate).
    /// </summary>
    public static byte[][] TradeLines(int copies)
    {
        var lines = new[] { "btcusdt-trades-2024-08-08.jsonl", "ethusdt-trades-2024-08-08.jsonl" }
            .SelectMany(f => Text(f).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            .Select(l => (Line: l, Doc: JsonDocument.Parse(l)))
            .Select(x => (x.Line, Time: x.Doc.RootElement.GetProperty("data").GetProperty("T").GetInt64(),
                Symbol: x.Doc.RootElement.GetProperty("data").GetProperty("s").GetString()!, Id: x.Doc.RootElement.GetProperty("data").GetProperty("t").GetInt64()))
            .OrderBy(x => x.Time)
            .ToArray();
        var span = lines.GroupBy(l => l.Symbol).ToDictionary(g => g.Key, g => g.Max(x => x.Id) - g.Min(x => x.Id) + 1);
        var result = new List<byte[]>(lines.Length * copies);
        for (var c = 0; c < copies; c++)
        {
            foreach (var (line, _, symbol, id) in lines)
            {
                var shifted = line.Replace($"\"t\":{id},", $"\"t\":{id + (c * span[symbol])},", StringComparison.Ordinal);
                result.Add(Encoding.UTF8.GetBytes(shifted));
            }
        }

        return [.. result];
    }

    /// <summary>The symbols of the 1961-symbol exchangeInfo file.</summary>
    public static string[] Symbols()
    {
        using var doc = JsonDocument.Parse(Text("exchangeInfo-2022-03-10.json"));
        return doc.RootElement.GetProperty("symbols").EnumerateArray().Select(s => s.GetProperty("symbol").GetString()!).ToArray();
    }

    private static string Text(string file)
    {
        using var gzip = new GZipStream(File.OpenRead(Path.Combine(Directory, file + ".gz")), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "TradeStat.Tests", "TestData", "Feed");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("TradeStat.Tests/TestData/Feed not found above " + AppContext.BaseDirectory + ".");
    }
}
