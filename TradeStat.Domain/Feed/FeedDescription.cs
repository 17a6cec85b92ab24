namespace TradeStat.Domain.Feed;

/// <summary>How the feed is set up, for those who show its state (the dashboard); no setting an operator changes here.</summary>
/// <param name="Enabled">The feed runs.</param>
/// <param name="Replay">It replays a recording instead of following the exchange.</param>
/// <param name="MaxStreamsPerConnection">Most streams one connection carries.</param>
/// <param name="Checkpoints">Its state is checkpointed to disk.</param>
public sealed record FeedDescription(bool Enabled, bool Replay, int MaxStreamsPerConnection, bool Checkpoints);
