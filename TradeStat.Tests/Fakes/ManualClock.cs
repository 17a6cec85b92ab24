namespace TradeStat.Tests.Fakes;

/// <summary>A clock that only moves when told: REST weight windows, bans and the history lag without waiting.</summary>
public sealed class ManualClock : TimeProvider
{
    private readonly DateTimeOffset _start;
    private long _ticks;

    public ManualClock(DateTimeOffset? start = null) => _start = start ?? new DateTimeOffset(2024, 8, 8, 0, 0, 0, TimeSpan.Zero);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Volatile.Read(ref _ticks);

    public override DateTimeOffset GetUtcNow() => _start + TimeSpan.FromTicks(Volatile.Read(ref _ticks));

    /// <summary>Moves the clock forward.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _ticks, by.Ticks);
    }
}
