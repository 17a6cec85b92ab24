using Microsoft.Extensions.Hosting;

namespace TradeStat.Infrastructure.Feed;

/// <summary>
/// Writes the feed's checkpoint every <c>CheckpointInterval</c> once the feed has restored the previous one, and a last
/// time at a clean shutdown. It is registered before the feed service, so the host stops it after the feed: the last
/// checkpoint holds every trade counted. A write that took t is followed by at least t × 100 / CheckpointMaxDutyPercent
/// of rest, so a large state costs the live feed a bounded share of its time.
/// </summary>
internal sealed class FeedCheckpointService(FeedCheckpoints checkpoints, FeedMetrics metrics, BinanceOptions options, TimeProvider time)
    : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Checkpoints belong to the live feed: off, or replaying a recording, there is nothing to keep.
        if (checkpoints.State == CheckpointState.Off || !options.Enabled || !string.IsNullOrEmpty(options.ReplayFile))
        {
            return;
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(NextWait(metrics.CheckpointDuration, options), time, stoppingToken);
                await Task.Run(checkpoints.Save, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the last checkpoint is written in StopAsync.
        }
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        checkpoints.Save();
    }

    /// <summary>The wait before the next checkpoint after one that took <paramref name="lastDuration"/>.</summary>
    internal static TimeSpan NextWait(TimeSpan lastDuration, BinanceOptions options)
    {
        var rest = lastDuration * (100.0 / options.CheckpointMaxDutyPercent);
        return rest > options.CheckpointInterval ? rest : options.CheckpointInterval;
    }
}
