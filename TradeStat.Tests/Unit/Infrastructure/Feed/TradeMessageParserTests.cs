using System.Text;
using TradeStat.Infrastructure.Feed;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Unit.Infrastructure.Feed;

[TestFixture]
[Category("Unit")]
internal sealed class TradeMessageParserTests
{
    [Test]
    public void Reads_a_combined_stream_trade()
    {
        var kind = Parse("""{"stream":"btcusdt@trade","data":{"e":"trade","E":1723161255343,"s":"BTCUSDT","t":3735683259,"p":"61837.63000000","q":"0.02000000","T":1723161255342,"m":true,"M":true}}""",
            out var trade, out var symbol);
        kind.Should().Be(FrameKind.Trade);
        symbol.Should().Be("BTCUSDT");
        trade.TradeId.Should().Be(3735683259);
        trade.Price.Should().Be(6_183_763_000_000);
        trade.TradeTime.Should().Be(1723161255342, "the back-fill looks for a gap's trades from the last counted trade's time");
    }

    [Test]
    public void Ignores_unknown_and_old_fields_and_reads_raw_streams()
    {
        Parse("""{"e":"trade","E":1,"s":"BNBBTC","t":12345,"p":"0.001","q":"100","b":88,"a":50,"T":1,"m":true,"M":true,"x":{"deep":[1,{"y":2}]}}""",
            out var trade, out var symbol).Should().Be(FrameKind.Trade);
        symbol.Should().Be("BNBBTC");
        trade.Price.Should().Be(100_000);
    }

    [Test]
    public void Reads_escaped_and_non_ascii_symbols()
    {
        Parse("""{"stream":"x@trade","data":{"e":"trade","s":"\u5E01\u5B89USDT","t":1,"p":"1"}}""", out _, out var symbol).Should().Be(FrameKind.Trade);
        symbol.Should().Be("币安USDT");
        Parse("""{"stream":"x@trade","data":{"e":"trade","s":"币安USDT","t":1,"p":"1"}}""", out _, out symbol).Should().Be(FrameKind.Trade);
        symbol.Should().Be("币安USDT");
    }

    [TestCase("""{"result":null,"id":1}""", FrameKind.Response)]
    [TestCase("""{"result":["btcusdt@trade"],"id":2}""", FrameKind.Response)]
    [TestCase("""{"error":{"code":2,"msg":"Invalid request"},"id":3}""", FrameKind.Response)]
    [TestCase("""{"code":2,"msg":"Invalid request: too many parameters","id":4}""", FrameKind.Response)]
    [TestCase("""{"id":5,"code":0,"msg":"Unknown property"}""", FrameKind.Response)]
    [TestCase("""{"code":3,"msg":"Invalid JSON: expected value at line 1 column 1"}""", FrameKind.Response)]
    [TestCase("""{"e":"serverShutdown","E":1}""", FrameKind.ServerShutdown)]
    [TestCase("""{"stream":"!x","data":{"e":"serverShutdown","E":1}}""", FrameKind.ServerShutdown)]
    [TestCase("""{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","s":"BTCUSDT","p":"1"}}""", FrameKind.Other)]
    [TestCase("""{"stream":"btcusdt@trade","data":{"e":"trade","s":"BTCUSDT","t":1}}""", FrameKind.Malformed)]
    [TestCase("""{"stream":"btcusdt@trade","data":{"e":"trade","s":"BTCUSDT","t":1,"p":"1e5"}}""", FrameKind.Malformed)]
    [TestCase("""{"stream":"btcusdt@trade","data":{"e":"trade","s":"BTCUSDT","t":"1","p":"1"}}""", FrameKind.Malformed)]
    [TestCase("""{"stream":"btcusdt@trade","data":{"e":"trade","s":"BTCUSDT","t":1,"p":1.5}}""", FrameKind.Malformed)]
    [TestCase("""{"stream":"btcusdt@trade","data":{"e":"trade","s":"BTCUSDT","t":1,"p":"1"}""", FrameKind.Malformed)]
    [TestCase("""{"stream":"btcusdt@trade","data":{"e":"trade","s":"BTCUSDT","t":1,"p":"1"}}}""", FrameKind.Malformed)]
    [TestCase("not json", FrameKind.Malformed)]
    [TestCase("", FrameKind.Malformed)]
    [TestCase("[1,2]", FrameKind.Malformed)]
    public void Classifies_other_messages(string json, FrameKind kind) => Parse(json, out _, out _).Should().Be(kind);

    [TestCase("""{"code":2,"msg":"Invalid request: request ID must be an unsigned integer","id":17}""", 17)]
    [TestCase("""{"msg":"Unknown property","code":0,"id":9223372036854775807}""", long.MaxValue)]
    [TestCase("""{"error":{"code":2,"msg":"Invalid request"},"id":3}""", 3)]
    [TestCase("""{"result":null,"id":12}""", 12)]
    public void Answers_flat_and_nested_errors_included_carry_their_request_id(string json, long id)
    {
        Parse(json, out var trade, out _).Should().Be(FrameKind.Response);
        trade.ResponseId.Should().Be(id);
    }

    [Test]
    public void Every_recorded_line_is_a_trade([Values(Recordings.BtcUsdt, Recordings.EthUsdt)] string file)
    {
        var expected = Recordings.Trades(file);
        var i = 0;
        foreach (var line in Recordings.Lines(file))
        {
            Parse(line, out var trade, out var symbol).Should().Be(FrameKind.Trade);
            TradeMessageParser.TryParseFast(Encoding.UTF8.GetBytes(line), new byte[64], out _, out _).Should().BeTrue("Binance's own shape takes the fast path");
            symbol.Should().Be(expected[i].Symbol);
            trade.TradeId.Should().Be(expected[i].Id);
            trade.Price.Should().Be(TradeStat.Domain.Feed.ScaledPrice.Parse(expected[i].Price));
            i++;
        }

        i.Should().Be(expected.Length);
    }

    [Test]
    public void Random_garbage_never_throws([Values(1, 2, 3)] int seed)
    {
        var random = new Random(seed);
        var line = Encoding.UTF8.GetBytes(Recordings.Lines(Recordings.BtcUsdt).First());
        for (var i = 0; i < 20_000; i++)
        {
            var mutated = line.ToArray();
            for (var k = random.Next(1, 4); k > 0; k--)
            {
                mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            }

            var cut = mutated[..random.Next(mutated.Length + 1)];
            FluentActions.Invoking(() => TradeMessageParser.Parse(cut, new byte[TradeMessageParser.MaxSymbolBytes], out _)).Should().NotThrow();
        }
    }

    [Test]
    public void The_fast_scanner_agrees_with_the_reader_on_everything_it_accepts([Values(1, 2, 3, 4)] int seed)
    {
        var random = new Random(seed);
        var lines = Recordings.Lines(Recordings.BtcUsdt).Take(50).Select(Encoding.UTF8.GetBytes).ToArray();
        var alphabet = Encoding.UTF8.GetBytes("{}[]\":,.-+eE0123456789 \t\ntfnulasrp\\é");
        var accepted = 0;
        for (var i = 0; i < 30_000; i++)
        {
            var bytes = lines[random.Next(lines.Length)].ToList();
            for (var k = random.Next(1, 4); k > 0; k--)
            {
                var at = random.Next(bytes.Count);
                var c = alphabet[random.Next(alphabet.Length)];
                switch (random.Next(3))
                {
                    case 0:
                        bytes[at] = c;
                        break;
                    case 1:
                        bytes.Insert(at, c);
                        break;
                    default:
                        bytes.RemoveAt(at);
                        break;
                }
            }

            var frame = bytes.ToArray();
            var fastSymbol = new byte[TradeMessageParser.MaxSymbolBytes];
            var readerSymbol = new byte[TradeMessageParser.MaxSymbolBytes];
            if (!TradeMessageParser.TryParseFast(frame, fastSymbol, out var fast, out var fastKind))
            {
                continue;
            }

            accepted++;
            var readerKind = TradeMessageParser.ParseWithReader(frame, readerSymbol, out var reader);
            var text = Encoding.UTF8.GetString(frame);
            fastKind.Should().Be(readerKind, text);
            if (fastKind == FrameKind.Trade)
            {
                (fast.TradeId, fast.Price, fast.SymbolLength, fast.TradeTime).Should().Be((reader.TradeId, reader.Price, reader.SymbolLength, reader.TradeTime), text);
                fastSymbol.Should().Equal(readerSymbol, text);
            }
        }

        accepted.Should().BeGreaterThan(1_000, "the mutations must also exercise inputs the scanner accepts");
    }

    [TestCase("""{"stream":"a","data":{"e":"trade","s":"X","t":01,"p":"1"}}""")]
    [TestCase("""{"stream":"a","data":{"e":"trade","s":"X","t":1,"p":"1"},"x":1}""")]
    [TestCase("""{"stream":"a","data":{"e":"trade","s":"X\u0041","t":1,"p":"1"}}""")]
    [TestCase("""{"stream":"a","data":{"e":"trade","s":"X","t":1,"p":"1","n":[1]}}""")]
    [TestCase("""{"stream":"a","data":{"e":"trade","s":"X","t":1,"p":"1"}} x""")]
    [TestCase("""{"stream":"a","data":{"e":"trade","s":"X","t":99999999999999999999,"p":"1"}}""")]
    [TestCase("""{"stream":"a","data":{"e":"trade","s":"X","t":-0,"p":"1"}}""")]
    [TestCase("""{"stream":"a","data":{"e":"trade","s":"X","t":9223372036854775807,"p":"1"}}""")]
    [TestCase("""{"stream":"a","data":{"e":"trade","s":"X","t":9223372036854775808,"p":"1"}}""")]
    [TestCase(""" { "stream" : "a" , "data" : { "e" : "trade" , "s" : "X" , "t" : 1 , "p" : "1" } } """)]
    [TestCase("""{"stream":"a","data":{}}""")]
    public void Fast_scanner_and_reader_agree_on_edge_cases(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var fastAccepted = TradeMessageParser.TryParseFast(bytes, new byte[64], out var fast, out var fastKind);
        var readerKind = TradeMessageParser.ParseWithReader(bytes, new byte[64], out var reader);
        if (fastAccepted)
        {
            fastKind.Should().Be(readerKind);
            fast.TradeId.Should().Be(reader.TradeId);
            fast.TradeTime.Should().Be(reader.TradeTime);
        }
    }

    private static FrameKind Parse(string json, out TradeFields trade, out string symbol)
    {
        var buffer = new byte[TradeMessageParser.MaxSymbolBytes];
        var kind = TradeMessageParser.Parse(Encoding.UTF8.GetBytes(json), buffer, out trade);
        symbol = Encoding.UTF8.GetString(buffer, 0, trade.SymbolLength);
        return kind;
    }
}
