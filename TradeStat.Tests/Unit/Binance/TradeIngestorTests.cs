using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using TradeStat.Domain.Market;
using TradeStat.Infrastructure.Binance;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Unit.Binance;

[TestFixture]
[Category("Unit")]
public sealed class TradeIngestorTests
{
    [Test]
    public void Recordings_go_through_without_a_per_message_allocation()
    {
        var lines = File.ReadLines(Recordings.PathOf(Recordings.BtcUsdt)).Concat(File.ReadLines(Recordings.PathOf(Recordings.EthUsdt)))
            .Select(Encoding.UTF8.GetBytes).ToArray();
        Run(lines); // JIT and static state

        var (ingestor, book) = Create(["BTCUSDT", "ETHUSDT", "BNBBTC"]);
        var applied = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var line in lines)
        {
            applied += ingestor.Process(line, out _, out _) == IngestResult.Applied ? 1 : 0;
        }

        var perMessage = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)lines.Length;
        applied.Should().Be(lines.Length);

        // Only the median's node arrays grow (amortised a few bytes per new price level); a string would be ≥ 30 bytes.
        perMessage.Should().BeLessThan(8);
        book.Get("BTCUSDT")!.Value.Count.Should().Be(9757);
        ingestor.Metrics.Trades.Should().Be(lines.Length);
    }

    [Test]
    public void Duplicates_unknown_symbols_gaps_and_malformed_are_told_apart()
    {
        var (ingestor, book) = Create(["BTCUSDT"]);
        Process(ingestor, Trade("BTCUSDT", 1, "10")).Should().Be(IngestResult.Applied);
        Process(ingestor, Trade("BTCUSDT", 1, "10")).Should().Be(IngestResult.Duplicate);
        Process(ingestor, Trade("ETHUSDT", 1, "10")).Should().Be(IngestResult.UnknownSymbol);
        Process(ingestor, Trade("btcusdt", 2, "10")).Should().Be(IngestResult.UnknownSymbol, "the feed's symbols are exact bytes");
        Process(ingestor, "{\"data\":").Should().Be(IngestResult.Malformed);
        ingestor.Process(Encoding.UTF8.GetBytes(Trade("BTCUSDT", 5, "12")), out var gap, out _).Should().Be(IngestResult.Gap);
        gap.FirstMissing.Should().Be(2);
        ingestor.ApplyBackfilled(gap.Market, 2, 1_100_000_000).Should().BeTrue();
        ingestor.CompleteGap(gap);
        var metrics = ingestor.Metrics;
        (metrics.Trades, metrics.Duplicates, metrics.UnknownSymbol, metrics.Malformed, metrics.Gaps, metrics.Backfilled, metrics.Missed)
            .Should().Be((3L, 1L, 2L, 1L, 1L, 1L, 2L));
        book.Get("BTCUSDT")!.Value.MedianHalfUnits.Should().Be(2_200_000_000);
    }

    private static string Trade(string symbol, long id, string price) =>
        $"{{\"stream\":\"{symbol.ToLowerInvariant()}@trade\",\"data\":{{\"e\":\"trade\",\"E\":1,\"s\":\"{symbol}\",\"t\":{id},\"p\":\"{price}\",\"q\":\"1\",\"T\":1,\"m\":true,\"M\":true}}}}";

    private static IngestResult Process(TradeIngestor ingestor, string frame) => ingestor.Process(Encoding.UTF8.GetBytes(frame), out _, out _);

    private static void Run(byte[][] lines)
    {
        var (ingestor, _) = Create(["BTCUSDT", "ETHUSDT"]);
        foreach (var line in lines)
        {
            ingestor.Process(line, out _, out _);
        }
    }

    private static (TradeIngestor, MarketBook) Create(string[] symbols)
    {
        var book = new MarketBook(new MarketOptions());
        book.Replace(symbols);
        return (new TradeIngestor(book, new FeedMetrics(), NullLogger<TradeIngestor>.Instance, new BinanceOptions(), TimeProvider.System), book);
    }
}
