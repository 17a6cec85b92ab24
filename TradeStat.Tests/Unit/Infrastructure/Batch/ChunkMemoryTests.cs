using TradeStat.Infrastructure.Batch;

namespace TradeStat.Tests.Unit.Infrastructure.Batch;

[TestFixture]
[Category("Unit")]
public sealed unsafe class ChunkMemoryTests
{
    [TestCase(1)]
    [TestCase(4095)]
    [TestCase(2 << 20)]
    [TestCase((2 << 20) + 4096 + 99)] // a default chunk's buffer: whole huge pages and a tail in small pages
    public void Every_byte_is_writable_and_a_buffer_of_a_huge_page_or_more_starts_on_one(int length)
    {
        using var memory = new ChunkMemory(length);

        ((nuint)memory.Data % (length >= 2 << 20 ? 2u << 20 : 64u)).Should().Be(0);
        memory.Length.Should().Be(length);
        var span = memory.Span;
        span.Length.Should().Be(length);
        for (var i = 0; i < length; i++)
        {
            span[i] = (byte)i;
        }

        span[length - 1].Should().Be((byte)(length - 1));
        memory.Data[0].Should().Be(0);
    }

    [Test]
    public void Disposing_twice_is_harmless_and_leaves_no_memory_to_reach()
    {
        var memory = new ChunkMemory(100);
        memory.Dispose();
        memory.Dispose();

        ((nuint)memory.Data).Should().Be(0);
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void A_length_below_one_is_refused(int length)
    {
        var create = () => new ChunkMemory(length);

        create.Should().Throw<ArgumentOutOfRangeException>();
    }
}
