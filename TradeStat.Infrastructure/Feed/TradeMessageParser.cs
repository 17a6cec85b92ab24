using System.Text.Json;
using TradeStat.Domain.Feed;

namespace TradeStat.Infrastructure.Feed;

/// <summary>
/// Reads Binance stream messages from their UTF-8 bytes with <see cref="Utf8JsonReader"/>: no string is created, unknown
/// fields are skipped, the price goes from its decimal string straight to scaled units. O(message length).
/// </summary>
internal static partial class TradeMessageParser
{
    /// <summary>Longest symbol accepted, in UTF-8 bytes.</summary>
    public const int MaxSymbolBytes = 64;

    /// <summary>Parses <paramref name="frame"/>; a trade's symbol bytes go to <paramref name="symbol"/>.</summary>
    /// <remarks>
    /// The combined-stream shape Binance sends (<c>{"stream":"…","data":{flat object}}</c>, ASCII, no escapes) is read by
    /// a strict single-pass scanner (<see cref="TryParseFast"/>); anything else — other shapes, escapes, non-ASCII,
    /// nesting, invalid JSON — goes to <see cref="Utf8JsonReader"/>, which decides. Both give the same answer on any
    /// input the scanner accepts (property-tested).
    /// </remarks>
    public static FrameKind Parse(ReadOnlySpan<byte> frame, Span<byte> symbol, out TradeFields trade)
    {
        if (TryParseFast(frame, symbol, out trade, out var kind))
        {
            return kind;
        }

        return ParseWithReader(frame, symbol, out trade);
    }

    private static FrameKind Classify(in EventState state, in TradeFields trade, bool isResponse) => state.Event switch
    {
        EventType.Trade when state.Complete => trade.PriceError == ScaledPrice.ParseError.None ? FrameKind.Trade : FrameKind.Malformed,
        EventType.Trade => FrameKind.Malformed,
        EventType.ServerShutdown => FrameKind.ServerShutdown,
        _ when isResponse => FrameKind.Response,
        _ => FrameKind.Other,
    };

    private enum EventType
    {
        None,
        Trade,
        ServerShutdown,
        Other,
    }

    private struct EventState
    {
        public EventType Event;
        public bool HasSymbol;
        public bool HasId;
        public bool HasPrice;

        public readonly bool Complete => HasSymbol && HasId && HasPrice;
    }
}
