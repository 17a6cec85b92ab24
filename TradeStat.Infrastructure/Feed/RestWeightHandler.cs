using System.Globalization;
using System.Net.Http.Headers;

namespace TradeStat.Infrastructure.Feed;

/// <summary>
/// Puts every request of a Binance REST client through the process's <see cref="RestGovernor"/>: waits for the
/// request's weight (<see cref="RestWeights"/>) and an in-flight slot before sending, frees the slot once the answer's
/// headers are in, and reports the answer's status, <c>X-MBX-USED-WEIGHT-1M</c> and <c>Retry-After</c>.
/// <paramref name="requestTimeout"/> bounds the request from the moment the governor lets it go, so that a wait for
/// the budget or through a ban is never mistaken for an exchange that does not answer.
/// </summary>
internal sealed class RestWeightHandler(RestGovernor governor, TimeProvider time, TimeSpan? requestTimeout = null) : DelegatingHandler
{
    /// <summary>The header in which Binance reports the IP's weight used in the current minute.</summary>
    public const string UsedWeightHeader = "X-MBX-USED-WEIGHT-1M";

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var lease = await governor.AcquireAsync(RestWeights.Of(request.RequestUri), cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (requestTimeout is { } limit)
        {
            timeout.CancelAfter(limit);
        }

        var response = await base.SendAsync(request, timeout.Token);

        // Observed before the slot is freed, so a request let through by the release already sees a block this answer sets.
        Report(response);
        return response;
    }

    /// <inheritdoc />
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // The synchronous path blocks its thread while it waits; it goes through the governor all the same.
        var acquiring = governor.AcquireAsync(RestWeights.Of(request.RequestUri), cancellationToken);
        using var lease = acquiring.IsCompleted ? acquiring.Result : acquiring.AsTask().GetAwaiter().GetResult();
        var response = base.Send(request, cancellationToken);
        Report(response);
        return response;
    }

    /// <summary>The weight Binance reports as used, when the answer carries a readable <see cref="UsedWeightHeader"/>.</summary>
    internal static int? UsedWeight(HttpResponseMessage response)
    {
        if (response.Headers.NonValidated.TryGetValues(UsedWeightHeader, out var values))
        {
            foreach (var value in values)
            {
                if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var used))
                {
                    return used;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// How long <c>Retry-After</c> asks to wait from <paramref name="now"/>: delta seconds (what Binance sends) or an
    /// HTTP date; never negative; null when absent or unreadable.
    /// </summary>
    internal static TimeSpan? RetryAfter(HttpResponseHeaders headers, DateTimeOffset now)
    {
        var retry = headers.RetryAfter;
        if (retry?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (retry?.Date is { } date)
        {
            return date > now ? date - now : TimeSpan.Zero;
        }

        return null;
    }

    private void Report(HttpResponseMessage response) =>
        governor.Observe(response.StatusCode, UsedWeight(response), RetryAfter(response.Headers, time.GetUtcNow()));
}
