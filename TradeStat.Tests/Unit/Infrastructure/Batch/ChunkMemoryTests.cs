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
    public void The_whole_huge_pages_are_advised_into_huge_pages()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("madvise is Linux's");
        }

        using var memory = new ChunkMemory((4 << 20) + 100);

        // /proc/self/smaps lists each mapping with its VmFlags; "hg" marks MADV_HUGEPAGE. The advised range may be a
        // mapping of its own (split from the allocator's), so the one holding the buffer's first byte is checked.
        VmFlagsAt((nuint)memory.Data).Should().Contain("hg");
    }

    private static string[] VmFlagsAt(nuint address)
    {
        var inside = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            var dash = line.IndexOf('-');
            var space = line.IndexOf(' ');
            if (dash > 0 && space > dash && nuint.TryParse(line.AsSpan(0, dash), System.Globalization.NumberStyles.HexNumber, null, out var start)
                && nuint.TryParse(line.AsSpan(dash + 1, space - dash - 1), System.Globalization.NumberStyles.HexNumber, null, out var end))
            {
                inside = start <= address && address < end;
            }
            else if (inside && line.StartsWith("VmFlags:", StringComparison.Ordinal))
            {
                return line["VmFlags:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            }
        }

        return [];
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
