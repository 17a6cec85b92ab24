namespace TradeStat.Infrastructure.Feed;

/// <summary>At most <c>max</c> connection attempts per sliding window (Binance: 300 per 5 minutes per IP).</summary>
internal sealed class ConnectionAttemptLimiter(int max, TimeSpan window, TimeProvider time)
{
    private readonly Queue<long> _attempts = new();

    public async Task WaitAsync(CancellationToken token)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_attempts)
            {
                var now = time.GetTimestamp();
                while (_attempts.Count > 0 && time.GetElapsedTime(_attempts.Peek(), now) >= window)
                {
                    _attempts.Dequeue();
                }

                if (_attempts.Count < max)
                {
                    _attempts.Enqueue(now);
                    return;
                }

                wait = window - time.GetElapsedTime(_attempts.Peek(), now);
            }

            await Task.Delay(wait, time, token);
        }
    }
}
