namespace TradeStat.Infrastructure.Feed;

/// <summary>What a WebSocket text message turned out to be.</summary>
internal enum FrameKind
{
    /// <summary>A trade event (combined <c>{"stream","data"}</c> or raw).</summary>
    Trade,

    /// <summary>
    /// An answer to one of our requests: <c>{"result":...,"id":n}</c>, or a refusal, nested
    /// (<c>{"error":{"code":..,"msg":..},"id":n}</c>) or flat (<c>{"code":..,"msg":..,"id":n}</c>); the id is in
    /// <see cref="TradeFields.ResponseId"/> (0 when the answer has none).
    /// </summary>
    Response,

    /// <summary>The <c>serverShutdown</c> event: reconnect.</summary>
    ServerShutdown,

    /// <summary>Valid JSON of another kind (an event we do not use): ignored.</summary>
    Other,

    /// <summary>Not JSON, or a trade without a readable symbol, id or price.</summary>
    Malformed,
}
