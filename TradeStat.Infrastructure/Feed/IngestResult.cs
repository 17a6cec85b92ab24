namespace TradeStat.Infrastructure.Feed;

/// <summary>How a frame was handled.</summary>
internal enum IngestResult
{
    Applied,
    Duplicate,
    Gap,
    UnknownSymbol,
    Malformed,
    Response,
    ServerShutdown,
    Other,
}
