using System.Runtime.CompilerServices;
using System.Text;
using TradeStat.Domain.Batch;
using TradeStat.Infrastructure.Batch;
using TradeStat.Tests.Support;
using static TradeStat.Tests.Support.CsvRun;

namespace TradeStat.Tests.Unit.Infrastructure.Batch;

/// <summary>A new metric is one small struct; registering it is naming it in a <see cref="Metrics{TFirst, TRest}"/>.</summary>
[TestFixture]
[Category("Unit")]
public sealed class ExtensibilityTests
{
    [Test]
    public void A_registered_metric_adds_its_column_to_every_row([Values] Source source)
    {
        var outcome = Analyze<Metrics<ReportMetrics, Metrics<MinPrice, TradeCount>>>(Encoding.UTF8.GetBytes(TradeInputs.Sample), source,
            new() { ChunkSize = 20, Threads = 2 });
        outcome.Output.Should().Be("aaa,5787,40,1161,1222,1077,3\naab,6103,69,810,907,724,3\naac,3081,41,559,638,477,2\n");
    }

    [Test]
    public void Column_names_come_from_the_registered_metrics()
    {
        var names = new List<string>();
        Metrics<ReportMetrics, MinPrice>.AddColumnNames(names);
        names.Should().Equal("MaxTimeGap", "Volume", "WeightedAveragePrice", "MaxPrice", "MinPrice");
    }

    /// <summary>The whole cost of a new metric: this struct.</summary>
    private struct MinPrice : ITradeMetric<MinPrice>
    {
        private long _min;

        public static void AddColumnNames(ICollection<string> names) => names.Add("MinPrice");

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Start(in Trade trade) => _min = trade.Price;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Observe(in Trade trade) => _min = Math.Min(_min, trade.Price);

        public void Merge(in MinPrice later) => _min = Math.Min(_min, later._min);

        public readonly void WriteColumns(CsvRowWriter row) => row.Column(_min);
    }

    private struct TradeCount : ITradeMetric<TradeCount>
    {
        private long _count;

        public static void AddColumnNames(ICollection<string> names) => names.Add("Trades");

        public void Start(in Trade trade) => _count = 1;

        public void Observe(in Trade trade) => _count++;

        public void Merge(in TradeCount later) => _count += later._count;

        public readonly void WriteColumns(CsvRowWriter row) => row.Column(_count);
    }
}
