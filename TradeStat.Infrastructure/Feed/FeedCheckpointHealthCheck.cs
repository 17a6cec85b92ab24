using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TradeStat.Infrastructure.Feed;

/// <summary>
/// Readiness of the feed's checkpoints: unhealthy when the checkpoint could not be read at start (the feed did not
/// run), or when writes have been failing for longer than <c>CheckpointFailureGrace</c>; healthy otherwise, and when
/// checkpoints are off.
/// </summary>
internal sealed class FeedCheckpointHealthCheck(FeedCheckpoints checkpoints, BinanceOptions options, TimeProvider time) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (checkpoints.State == CheckpointState.Refused)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"The feed checkpoint cannot be read: {checkpoints.LastError}"));
        }

        if (checkpoints.FailingSince is { } since && time.GetUtcNow() - since > options.CheckpointFailureGrace)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(
                $"Feed checkpoints have been failing since {since:u}: {checkpoints.LastError}"));
        }

        return Task.FromResult(HealthCheckResult.Healthy());
    }
}
