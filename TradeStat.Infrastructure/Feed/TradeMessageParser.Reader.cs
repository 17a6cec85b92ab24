using System.Text.Json;
using TradeStat.Domain.Feed;

namespace TradeStat.Infrastructure.Feed;

// The authoritative path: Utf8JsonReader over any JSON, for every message the scanner leaves.
internal static partial class TradeMessageParser
{
    /// <summary>The authoritative path: <see cref="Utf8JsonReader"/> over any JSON.</summary>
    internal static FrameKind ParseWithReader(ReadOnlySpan<byte> frame, Span<byte> symbol, out TradeFields trade)
    {
        trade = default;
        try
        {
            var reader = new Utf8JsonReader(frame, new JsonReaderOptions { AllowTrailingCommas = false });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return FrameKind.Malformed;
            }

            var state = new EventState();
            var isAnswer = false;
            var hasId = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueSpan;
                var escaped = reader.ValueIsEscaped;
                reader.Read();
                if (!escaped && name.SequenceEqual("data"u8) && reader.TokenType == JsonTokenType.StartObject)
                {
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var field = reader.ValueSpan;
                        var fieldEscaped = reader.ValueIsEscaped;
                        reader.Read();
                        ReadEventField(ref reader, field, fieldEscaped, symbol, ref state, ref trade);
                    }
                }
                else if (!escaped && (name.SequenceEqual("result"u8) || name.SequenceEqual("error"u8)
                    || name.SequenceEqual("code"u8) || name.SequenceEqual("msg"u8)))
                {
                    // An answer: {"result":…,"id":n}, or a refusal, nested ({"error":{…},"id":n}) or in the flat form
                    // the stream endpoint uses ({"code":2,"msg":"Invalid request: …","id":n}, the id missing when the
                    // request could not be read). A refusal must reach the request that waits for it.
                    isAnswer = true;
                    reader.Skip();
                }
                else if (!escaped && name.SequenceEqual("id"u8) && reader.TokenType == JsonTokenType.Number)
                {
                    hasId = reader.TryGetInt64(out trade.ResponseId);
                }
                else
                {
                    // Raw (non-combined) streams carry the event fields at the top level.
                    ReadEventField(ref reader, name, escaped, symbol, ref state, ref trade);
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return FrameKind.Malformed;
            }

            return Classify(state, trade, isAnswer || hasId);
        }
        catch (JsonException)
        {
            return FrameKind.Malformed;
        }
        catch (InvalidOperationException)
        {
            return FrameKind.Malformed;
        }
    }

    private static void ReadEventField(ref Utf8JsonReader reader, ReadOnlySpan<byte> name, bool escaped, Span<byte> symbol,
        ref EventState state, ref TradeFields trade)
    {
        if (escaped || name.Length != 1)
        {
            reader.Skip();
            return;
        }

        switch (name[0])
        {
            case (byte)'e' when reader.TokenType == JsonTokenType.String:
                state.Event = reader.ValueTextEquals("trade"u8) ? EventType.Trade
                    : reader.ValueTextEquals("serverShutdown"u8) ? EventType.ServerShutdown
                    : EventType.Other;
                break;
            case (byte)'s' when reader.TokenType == JsonTokenType.String:
                if (reader.ValueIsEscaped)
                {
                    if (reader.ValueSpan.Length <= symbol.Length)
                    {
                        trade.SymbolLength = reader.CopyString(symbol);
                        state.HasSymbol = trade.SymbolLength > 0;
                    }
                }
                else if (reader.ValueSpan.Length is > 0 and <= MaxSymbolBytes && reader.ValueSpan.Length <= symbol.Length)
                {
                    reader.ValueSpan.CopyTo(symbol);
                    trade.SymbolLength = reader.ValueSpan.Length;
                    state.HasSymbol = true;
                }

                break;
            case (byte)'t' when reader.TokenType == JsonTokenType.Number:
                state.HasId = reader.TryGetInt64(out trade.TradeId) && trade.TradeId >= 0;
                break;
            case (byte)'T' when reader.TokenType == JsonTokenType.Number:
                trade.TradeTime = reader.TryGetInt64(out var time) && time >= 0 ? time : 0;
                break;
            case (byte)'p' when reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped:
                trade.PriceError = ScaledPrice.TryParse(reader.ValueSpan, out trade.Price);
                state.HasPrice = true;
                break;
            default:
                reader.Skip();
                break;
        }
    }
}
