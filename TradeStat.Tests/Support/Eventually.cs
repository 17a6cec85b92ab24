using System.Diagnostics;

namespace TradeStat.Tests.Support;

/// <summary>
/// Waiting for something a test can observe (a metric, a counter of the fake exchange, an HTTP answer) instead of
/// sleeping for a guessed time: the condition is polled until it holds, up to a deadline.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test, naming <paramref name="what"/>, at the deadline.</summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what, TimeSpan? interval = null) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, what, interval: interval);

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds; fails the test at the deadline with <paramref name="what"/> and,
    /// when given, <paramref name="details"/> (e.g. a process's output).
    /// </summary>
    public static async Task UntilAsync(
        Func<Task<bool>> condition, TimeSpan timeout, string what, Func<string>? details = null, TimeSpan? interval = null)
    {
        if (!await TryUntilAsync(condition, timeout, interval))
        {
            Assert.Fail($"Timed out after {timeout.TotalSeconds:0.###} s waiting for: {what}"
                + (details is null ? "" : Environment.NewLine + details()));
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds (true) or the deadline passes (false).</summary>
    public static async Task<bool> TryUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, TimeSpan? interval = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            // Checked once more after the deadline, so a condition that came true while the test was descheduled counts.
            if (await condition())
            {
                return true;
            }

            if (clock.Elapsed >= timeout)
            {
                return false;
            }

            await Task.Delay(interval ?? DefaultInterval);
        }
    }
}
