using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TradeStat.Infrastructure.Feed;

namespace TradeStat.Tests.Unit.Infrastructure.Feed;

/// <summary>
/// The checkpoint file's life: restored into the book at start, written atomically, a torn temporary file ignored, an
/// unreadable checkpoint refused and never overwritten, a directory that cannot be written reported (metrics,
/// readiness) while the feed goes on, and recovery once it can be written again.
/// </summary>
[TestFixture]
[Category("Unit")]
[NonParallelizable]
public sealed class FeedCheckpointsTests
{
    private DirectoryInfo _data = null!;

    [SetUp]
    public void CreateDirectory() => _data = Directory.CreateTempSubdirectory("tradestat-ckpt-");

    [TearDown]
    public void DeleteDirectory() => _data.Delete(recursive: true);

    [Test]
    public void A_checkpoint_restores_every_symbol_listed_or_not_and_counting_goes_on()
    {
        var (first, book) = Create();
        first.TryRestore().Should().BeTrue();
        book.Replace(["AAA", "BBB"]);
        Trade(book, "AAA", 1, 10, 100);
        Trade(book, "AAA", 2, 30, 101);
        Trade(book, "BBB", 7, 5, 102);
        book.Replace(["AAA"]); // BBB leaves: retired, still readable
        first.Save().Should().BeTrue();

        var (second, restored) = Create();
        second.TryRestore().Should().BeTrue();
        restored.Get("BBB")!.Value.Count.Should().Be(1, "a retired symbol is restored too");
        restored.Symbols.Should().BeEmpty("nothing is listed before the exchange says so");
        restored.Replace(["AAA", "CCC"]);

        restored.Universe.Find("CCC"u8)!.IsAnchored.Should().BeFalse("CCC was not in the checkpoint: counted from its first trade");
        restored.Universe.Find("BBB"u8)!.IsAnchored.Should().BeFalse("BBB has trades: its gap runs from its last trade id");
        var aaa = restored.Universe.Find("AAA"u8)!;
        aaa.Apply(3, 20, 103).Result.Should().Be(TradeResult.Applied, "the next trade after the checkpointed one counts");
        aaa.Apply(2, 30, 101).Result.Should().Be(TradeResult.Duplicate, "a trade counted before the checkpoint is not counted again");
        aaa.Apply(9, 20, 110).Result.Should().Be(TradeResult.Gap, "trades made while down are back-filled");
        restored.Get("AAA")!.Value.MedianHalfUnits.Should().Be(40);
        restored.Symbols.Should().Equal("AAA", "CCC");
    }

    [Test]
    public void A_symbol_without_trades_in_the_checkpoint_is_anchored_at_the_checkpoint_time()
    {
        var (first, book) = Create();
        first.TryRestore();
        book.Replace(["QUIET"]);
        first.Save().Should().BeTrue();

        var (second, restored) = Create();
        second.TryRestore().Should().BeTrue();
        restored.Replace(["QUIET"]);
        var quiet = restored.Universe.Find("QUIET"u8)!;
        quiet.IsAnchored.Should().BeTrue();
        quiet.Apply(10, 5, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).Result.Should().Be(TradeResult.Gap,
            "trades since the checkpoint may have been counted by the process that died: they are fetched first");
    }

    [Test]
    public void A_torn_temporary_file_beside_the_checkpoint_is_ignored()
    {
        var (first, book) = Create();
        first.TryRestore();
        book.Replace(["AAA"]);
        Trade(book, "AAA", 1, 10, 100);
        first.Save().Should().BeTrue();
        File.WriteAllBytes(Path.Combine(_data.FullName, FeedCheckpoints.FileName + ".tmp"), [1, 2, 3]);

        var (second, restored) = Create();
        second.TryRestore().Should().BeTrue();
        restored.Get("AAA")!.Value.Count.Should().Be(1);
        second.Save().Should().BeTrue("the next write replaces the torn file");
    }

    [Test]
    public void An_unreadable_checkpoint_is_refused_left_as_it_is_and_never_overwritten()
    {
        var path = Path.Combine(_data.FullName, FeedCheckpoints.FileName);
        byte[] damaged = [.. "not a checkpoint"u8];
        File.WriteAllBytes(path, damaged);
        var (checkpoints, _) = Create();

        checkpoints.TryRestore().Should().BeFalse();

        checkpoints.State.Should().Be(CheckpointState.Refused);
        checkpoints.Save().Should().BeFalse();
        File.ReadAllBytes(path).Should().Equal(damaged);
        Health(checkpoints).Status.Should().Be(HealthStatus.Unhealthy);
        Health(checkpoints).Description.Should().Contain(path);
    }

    [Test]
    public void A_directory_that_cannot_be_written_is_reported_the_feed_goes_on_and_the_next_write_recovers()
    {
        // The data directory's place is taken by a file: no directory can be created there, for any user (root too).
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var blocked = Path.Combine(_data.FullName, "feed");
        var (checkpoints, book, metrics) = CreateWithMetrics(clock, blocked);
        checkpoints.TryRestore();
        book.Replace(["AAA"]);
        Trade(book, "AAA", 1, 10, 100);
        File.WriteAllText(blocked, "in the way");

        checkpoints.Save().Should().BeFalse();

        metrics.CheckpointFailures.Should().Be(1);
        checkpoints.FailingSince.Should().NotBeNull();
        Health(checkpoints, clock).Status.Should().Be(HealthStatus.Healthy, "within the grace period");
        clock.Advance(TimeSpan.FromMinutes(3));
        Health(checkpoints, clock).Status.Should().Be(HealthStatus.Unhealthy);
        book.Universe.Find("AAA"u8)!.Apply(2, 10, 101).Result.Should().Be(TradeResult.Applied, "the feed goes on in memory");

        File.Delete(blocked);
        checkpoints.Save().Should().BeTrue();
        checkpoints.FailingSince.Should().BeNull();
        Health(checkpoints, clock).Status.Should().Be(HealthStatus.Healthy);
        metrics.CheckpointBytes.Should().BeGreaterThan(0);
    }

    private static void Trade(FeedBook book, string symbol, long id, long price, long time) =>
        book.Universe.Find(System.Text.Encoding.UTF8.GetBytes(symbol))!.Apply(id, price, time).Result.Should().NotBe(TradeResult.Duplicate);

    private (FeedCheckpoints, FeedBook) Create()
    {
        var (checkpoints, book, _) = CreateWithMetrics(TimeProvider.System);
        return (checkpoints, book);
    }

    private (FeedCheckpoints, FeedBook, FeedMetrics) CreateWithMetrics(TimeProvider clock, string? directory = null)
    {
        var options = new BinanceOptions { DataDirectory = directory ?? _data.FullName };
        var book = new FeedBook(new FeedBookOptions());
        var metrics = new FeedMetrics();
        return (new FeedCheckpoints(options, book, metrics, clock, NullLogger<FeedCheckpoints>.Instance), book, metrics);
    }

    private static HealthCheckResult Health(FeedCheckpoints checkpoints, TimeProvider? clock = null) =>
        new FeedCheckpointHealthCheck(checkpoints, new BinanceOptions(), clock ?? TimeProvider.System)
            .CheckHealthAsync(new HealthCheckContext()).GetAwaiter().GetResult();
}
