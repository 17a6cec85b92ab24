using TradeStat.Infrastructure.Series;

namespace TradeStat.Tests.Unit.Infrastructure.Series;

[TestFixture]
[Category("Unit")]
public sealed class ChunkedRingTests
{
    [TestCase(1, 2)]
    [TestCase(100, 2)]
    [TestCase(1000, 4)]
    [TestCase(4096, 12)]
    public void The_last_capacity_values_stay_readable_while_memory_stays_bounded(long capacity, int shift)
    {
        var chunks = new ChunkedRing<double>(capacity, shift);
        var maxChunks = (capacity >> shift) + 3;
        for (long i = 0; i < capacity * 7 + 13; i++)
        {
            chunks.Set(i, i * 0.5);
            var back = Math.Min(i, capacity);
            chunks[i - back].Should().Be((i - back) * 0.5);
            chunks[i].Should().Be(i * 0.5);
        }

        chunks.AllocatedChunks.Should().BeLessThanOrEqualTo((int)maxChunks);
    }

    [Test]
    public void Chunks_are_allocated_only_when_needed()
    {
        var chunks = new ChunkedRing<double>(100_000_000, 16);
        chunks.AllocatedChunks.Should().Be(0);
        chunks.Set(0, 1);
        chunks.AllocatedChunks.Should().Be(1);
        chunks.Set(chunks.ChunkLength, 2);
        chunks.AllocatedChunks.Should().Be(2);
    }
}
