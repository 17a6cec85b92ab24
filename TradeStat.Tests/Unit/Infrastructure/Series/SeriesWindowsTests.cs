using TradeStat.Infrastructure.Series;
using static TradeStat.Tests.Support.TestData;

namespace TradeStat.Tests.Unit.Infrastructure.Series;

[TestFixture]
[Category("Unit")]
public sealed class SeriesWindowsTests
{
    private const int Sub = SeriesWindows.SubLength;

    private static IEnumerable<TestCaseData> Seeds() =>
        Enumerable.Range(1, 16).Select(seed => new TestCaseData(seed).SetArgDisplayNames($"seed {seed}"));

    [TestCaseSource(nameof(Seeds))]
    public void The_last_value_and_every_held_range_read_back_bit_for_bit(int seed)
    {
        // The values live in two places: finished sub-blocks in the ring, the newest one in the open buffer.
        long[] windows = [10, 100, 1000];
        var random = new Random(seed);
        var shift = 6 + (seed % 4);
        var windowsState = new SeriesWindows(windows, new CompactValueRing(SeriesWindows.Reach(1000), shift));
        var reference = new List<double>();
        var regimes = Enum.GetValues<Regime>();
        var walk = 100.0;
        var buffer = new double[300];

        for (var batchNo = 0; reference.Count < 20_000; batchNo++)
        {
            // Sizes that end exactly on sub-block edges as often as not.
            var count = reference.Count;
            var size = random.Next(4) switch
            {
                0 => Sub - (count % Sub),       // fill the open sub-block to its edge
                1 => Sub * random.Next(1, 4),   // whole sub-blocks
                2 => 1,
                _ => random.Next(1, 400),
            };
            var batch = RandomBatch(random, regimes[random.Next(regimes.Length)], size, ref walk);
            windowsState.Append(batch);
            reference.AddRange(batch);
            count = reference.Count;

            Bits(windowsState.Last).Should().Be(Bits(reference[^1]));

            var openStart = (count - 1) & ~(Sub - 1);
            long[] starts =
            [
                openStart,                              // all in the open sub-block
                Math.Max(0, openStart - 5),             // straddling ring and open sub-block
                Math.Max(0, openStart - Sub),           // the last stored sub-block, then the open one
                Math.Max(0, count - 1000),              // from the largest window's start
                random.NextInt64(Math.Max(0, count - 1000), count),
            ];
            foreach (var from in starts)
            {
                foreach (var end in new[] { count, Math.Min(count, openStart), Math.Min(count, from + 1 + random.Next(buffer.Length)) })
                {
                    var length = (int)Math.Min(buffer.Length, end - from);
                    if (length <= 0)
                    {
                        continue;
                    }

                    windowsState.CopyValues(from, buffer.AsSpan(0, length));
                    for (var i = 0; i < length; i++)
                    {
                        Bits(buffer[i]).Should().Be(Bits(reference[(int)from + i]), $"value {from + i} of {count} (seed {seed})");
                    }
                }
            }
        }
    }

    private static long Bits(double value) => BitConverter.DoubleToInt64Bits(value);
}
