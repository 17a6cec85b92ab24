using Microsoft.Extensions.Options;
using TradeStat.Domain.Feed;

namespace TradeStat.Api.Dashboard;

/// <summary>Fills <see cref="FeedHistory"/> while the service runs with the dashboard and the feed on.</summary>
public sealed class FeedHistorySampler(FeedHistory history, IFeedService feed, IOptions<DashboardOptions> options, TimeProvider time)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled || !feed.IsEnabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(FeedHistory.SampleInterval, time);
        try
        {
            do
            {
                history.Sample();
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            // The service is stopping: an ordinary end.
        }
    }
}
