namespace TradeStat.Infrastructure.Feed;

/// <summary>Exponential backoff with jitter: base·2^(n−1), capped, times a random factor in [0.5, 1).</summary>
internal static class Backoff
{
    public static TimeSpan Delay(int failures, BinanceOptions options)
    {
        var exponent = Math.Min(Math.Max(failures - 1, 0), 20);
        var raw = Math.Min(options.ReconnectMaxDelay.TotalMilliseconds, options.ReconnectBaseDelay.TotalMilliseconds * Math.Pow(2, exponent));
        return TimeSpan.FromMilliseconds(raw * (0.5 + (Random.Shared.NextDouble() * 0.5)));
    }
}
