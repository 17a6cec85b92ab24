namespace TradeStat.Infrastructure.Feed;

/// <summary>How a frame was handled.</summary>
internal enum IngestResult
{
    Applied,
    Duplicate,
    Gap,
    Held,
    UnknownSymbol,
    Malformed,
    Response,
    ServerShutdown,
    Other,
}
