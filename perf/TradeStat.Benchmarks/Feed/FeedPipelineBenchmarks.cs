using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using TradeStat.Infrastructure.Feed;

namespace TradeStat.Benchmarks.Feed;

/// <summary>
/// Messages per second through the feed's whole in-process pipeline (parse → perfect-hash lookup → exactly-once check →
/// median update) on the recorded BTCUSDT and ETHUSDT streams, universe = the 1961 symbols of exchangeInfo, one thread.
/// Each iteration starts from empty statistics, so every message is a new trade.
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class FeedPipelineBenchmarks
{
    private const int Copies = 10;
    private const int Messages = 15_863 * Copies;
    private byte[][] _lines = null!;
    private string[] _symbols = null!;
    private TradeIngestor _ingestor = null!;
    private FeedBook _book = null!;

    [GlobalSetup]
    public void Load()
    {
        _lines = FeedData.TradeLines(Copies);
        _symbols = FeedData.Symbols();
    }

    [IterationSetup]
    public void FreshStatistics()
    {
        _book = new FeedBook(new FeedBookOptions());
        _book.Replace(_symbols);
        _ingestor = new TradeIngestor(_book, new FeedMetrics(), NullLogger<TradeIngestor>.Instance, new BinanceOptions(), TimeProvider.System);
    }

    /// <summary>The whole pipeline, per message.</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public long Pipeline()
    {
        long applied = 0;
        foreach (var line in _lines)
        {
            if (_ingestor.Process(line, out _, out _) == IngestResult.Applied)
            {
                applied++;
            }
        }

        return applied != Messages ? throw new InvalidOperationException($"{applied} of {Messages} applied") : applied;
    }

    /// <summary>Parsing with <see cref="System.Text.Json.Utf8JsonReader"/> only (the fallback path), per message.</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public long ParseReaderOnly()
    {
        long sum = 0;
        Span<byte> symbol = stackalloc byte[TradeMessageParser.MaxSymbolBytes];
        foreach (var line in _lines)
        {
            TradeMessageParser.ParseWithReader(line, symbol, out var trade);
            sum += trade.Price;
        }

        return sum;
    }

    /// <summary>Parsing alone (fast scanner, as the feed runs), per message.</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public long ParseOnly()
    {
        long sum = 0;
        Span<byte> symbol = stackalloc byte[TradeMessageParser.MaxSymbolBytes];
        foreach (var line in _lines)
        {
            TradeMessageParser.Parse(line, symbol, out var trade);
            sum += trade.Price;
        }

        return sum;
    }
}
