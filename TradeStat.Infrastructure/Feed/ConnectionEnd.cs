namespace TradeStat.Infrastructure.Feed;

/// <summary>How a connection ended.</summary>
internal enum ConnectionEnd
{
    /// <summary>The server closed it (or the socket dropped).</summary>
    Dropped,

    /// <summary>Our side stopped it (rotation finished, host stopping).</summary>
    Stopped,
}
