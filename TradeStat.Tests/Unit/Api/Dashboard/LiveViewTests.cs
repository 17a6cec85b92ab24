using System.Net.ServerSentEvents;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;
using TradeStat.Api.Dashboard;
using TradeStat.Domain.Series;

namespace TradeStat.Tests.Unit.Api.Dashboard;

[TestFixture]
[Category("Unit")]
public sealed class LiveViewTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private readonly FakeTimeProvider _time = new();
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private int _symbolReads;

    [Test]
    public async Task A_page_gets_the_whole_table_then_only_what_changed_at_most_once_per_interval()
    {
        _counts["A"] = 1;
        _counts["B"] = 5;
        using var view = View();
        await using var page = view.Watch(CancellationToken.None).GetAsyncEnumerator();

        var snapshot = await NextAsync(page, "snapshot");
        snapshot["rows"]!.AsArray().Select(r => (string)r!["symbol"]!).Should().Equal("A", "B");

        _counts["B"] = 6;
        _counts["C"] = 1;
        _time.Advance(Interval);
        var update = await NextAsync(page, "update");
        update["rows"]!.AsArray().Select(r => (string)r!["symbol"]!).Should().Equal("B", "C");
        update["removed"]!.AsArray().Should().BeEmpty();

        _counts.Remove("A");
        _time.Advance(Interval);
        update = await NextAsync(page, "update");
        update["rows"]!.AsArray().Should().BeEmpty();
        update["removed"]!.AsArray().Select(k => (string)k!).Should().Equal("A");
    }

    [Test]
    public async Task Nothing_new_is_sent_as_a_heartbeat_only()
    {
        _counts["A"] = 1;
        using var view = View();
        await using var page = view.Watch(CancellationToken.None).GetAsyncEnumerator();
        await NextAsync(page, "snapshot");

        var next = page.MoveNextAsync();
        _time.Advance(Interval);
        next.IsCompleted.Should().BeFalse("nothing changed and the heartbeat is not due");

        _time.Advance(TimeSpan.FromSeconds(5));
        (await next).Should().BeTrue();
        page.Current.EventType.Should().Be("ping");
    }

    [Test]
    public async Task One_poll_serves_every_page_and_polling_stops_when_the_last_page_leaves()
    {
        _counts["A"] = 1;
        using var view = View();
        using var leave = new CancellationTokenSource();
        await using var first = view.Watch(leave.Token).GetAsyncEnumerator();
        await using var second = view.Watch(leave.Token).GetAsyncEnumerator();
        await NextAsync(first, "snapshot");
        await NextAsync(second, "snapshot");
        view.Watchers.Should().Be(2);

        var reads = _symbolReads;
        _counts["A"] = 2;
        _time.Advance(Interval);
        await NextAsync(first, "update");
        await NextAsync(second, "update");
        (_symbolReads - reads).Should().Be(1, "one poll per interval, whatever the number of pages");

        await leave.CancelAsync();
        (await first.MoveNextAsync()).Should().BeFalse();
        (await second.MoveNextAsync()).Should().BeFalse();
        view.Watchers.Should().Be(0);
        reads = _symbolReads;
        _time.Advance(Interval * 10);
        _symbolReads.Should().Be(reads, "nobody watches");
    }

    [Test]
    public async Task A_page_that_falls_behind_is_disconnected_instead_of_buffered()
    {
        _counts["A"] = 1;
        using var view = View(maxPending: 2);
        await using var page = view.Watch(CancellationToken.None).GetAsyncEnumerator();
        await NextAsync(page, "snapshot");

        for (var i = 0; i < 5; i++)
        {
            _counts["A"] += 1;
            _time.Advance(Interval);
        }

        var events = new List<string>();
        while (await page.MoveNextAsync())
        {
            events.Add(page.Current.EventType!);
        }

        events.Should().Equal(["update", "update"], "two updates may wait; the third closes the stream");
        view.Watchers.Should().Be(0);
    }

    private SeriesLiveView View(int maxPending = 16)
    {
        var series = new Mock<ISeriesService>();
        series.Setup(s => s.Symbols()).Returns(() =>
        {
            _symbolReads++;
            return _counts.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new SymbolCount(p.Key, p.Value)).ToArray();
        });
        series.Setup(s => s.GetStats(It.IsAny<string>(), It.IsAny<WindowLevel>()))
            .Returns((string symbol, WindowLevel level) => new SeriesStats(Math.Min(_counts[symbol], level.Window), 1, 2, 2, 1.5, 0.25));
        var lifetime = new Mock<IHostApplicationLifetime>();
        lifetime.Setup(l => l.ApplicationStopping).Returns(CancellationToken.None);
        var options = Options.Create(new DashboardOptions { UpdateIntervalMilliseconds = 500, HeartbeatSeconds = 5, MaxPendingUpdates = maxPending });
        return new SeriesLiveView(series.Object, options, _time, lifetime.Object);
    }

    private static async Task<JsonNode> NextAsync(IAsyncEnumerator<SseItem<string>> page, string type)
    {
        (await page.MoveNextAsync()).Should().BeTrue();
        page.Current.EventType.Should().Be(type);
        return JsonNode.Parse(page.Current.Data)!;
    }
}
