using System.Globalization;
using TradeStat.Infrastructure.Series;
using static TradeStat.Tests.Support.TestData;

namespace TradeStat.Tests.Unit.Infrastructure.Series;

[TestFixture]
[Category("Unit")]
public sealed class CompactValueRingTests
{
    private const int Sub = CompactValueRing.SubLength;

    private static IEnumerable<TestCaseData> Seeds() =>
        Enumerable.Range(1, 32).Select(seed => new TestCaseData(seed).SetArgDisplayNames($"seed {seed}"));

    [TestCaseSource(nameof(Seeds))]
    public void Every_held_value_reads_back_bit_for_bit_whatever_the_mix_of_values(int seed)
    {
        var random = new Random(seed);
        var shift = 6 + (seed % 4);
        var capacity = (long)random.Next(1, 3000);
        var ring = new CompactValueRing(capacity, shift);
        var reference = new List<double>();
        var regimes = Enum.GetValues<Regime>();
        var walk = 100.0;
        var sub = new double[Sub];
        Span<double> read = stackalloc double[200];

        // Runs of sub-blocks of one kind of data, so that chunks go compact, wide and compact again as slots are reused.
        for (var s = 0L; s < 400; s++)
        {
            var kind = (int)(s / 7 % 9);
            for (var i = 0; i < Sub; i++)
            {
                sub[i] = kind < regimes.Length ? Next(random, regimes[kind], ref walk) : Awkward(random, kind);
            }

            ring.Store(s, sub);
            reference.AddRange(sub);

            // Random ranges inside the values that must be held (the last capacity ones, and the newest sub-block).
            var count = reference.Count;
            var oldest = Math.Max(0, count - capacity - 1);
            for (var probe = 0; probe < 4; probe++)
            {
                var from = oldest + random.NextInt64(count - oldest);
                var length = (int)Math.Min(random.Next(1, read.Length + 1), count - from);
                ring.CopyTo(from, read[..length]);
                for (var i = 0; i < length; i++)
                {
                    BitConverter.DoubleToInt64Bits(read[i]).Should().Be(
                        BitConverter.DoubleToInt64Bits(reference[(int)(from + i)]),
                        $"value {from + i} (seed {seed}, kind {kind}, capacity {capacity}, shift {shift})");
                }
            }
        }

        ring.AllocatedChunks.Should().BeLessThanOrEqualTo((int)((capacity >> shift) + 3));
    }

    [Test]
    public void Prices_with_up_to_nine_decimals_are_encoded_and_everything_else_is_not()
    {
        Span<int> scaled = stackalloc int[Sub];
        var random = new Random(3);
        for (var decimals = 0; decimals <= CompactValueRing.MaxDecimals; decimals++)
        {
            var values = new double[Sub];
            for (var i = 0; i < Sub; i++)
            {
                // As a client sends them: text with `decimals` digits after the point, parsed.
                var m = random.Next(-int.MaxValue, int.MaxValue);
                values[i] = double.Parse(Decimal(m, decimals), CultureInfo.InvariantCulture);
            }

            CompactValueRing.TryEncode(values, decimals, scaled).Should().BeTrue($"{decimals} decimals");
            var back = new double[Sub];
            CompactValueRing.Decode(scaled, decimals, back);
            back.Should().Equal(values);
        }

        // Each of these fails the round trip (or the 32-bit range) at every d, alone among ordinary prices.
        double[] awkward = [-0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon,
            0.1 + 0.2, Math.PI, 2147483648.0, -2147483649.0, 1e300, 123.4567891234, double.MaxValue];
        foreach (var bad in awkward)
        {
            foreach (var position in new[] { 0, 13, Sub - 1 })
            {
                var values = Enumerable.Repeat(1.25, Sub).ToArray();
                values[position] = bad;
                for (var decimals = 0; decimals <= CompactValueRing.MaxDecimals; decimals++)
                {
                    CompactValueRing.TryEncode(values, decimals, scaled).Should().BeFalse($"{bad:R} at {position}, d={decimals}");
                }
            }
        }

        // The ends of the range still fit (−2^31 is left out: its magnitude is beyond int.MaxValue).
        double[] edges = [int.MaxValue, -int.MaxValue, 0.0, 1.0];
        var edgeValues = Enumerable.Range(0, Sub).Select(i => edges[i % edges.Length]).ToArray();
        CompactValueRing.TryEncode(edgeValues, 0, scaled).Should().BeTrue();
    }

    [Test]
    public void Typical_prices_take_four_bytes_a_value_and_a_chunk_that_needs_doubles_takes_eight()
    {
        const int shift = 12; // 4096 values, 64 sub-blocks a chunk
        var ring = new CompactValueRing(1L << 20, shift);
        var walk = 100.0;
        var random = new Random(5);
        var sub = new double[Sub];
        for (var s = 0L; s < 64 * 8; s++)
        {
            for (var i = 0; i < Sub; i++)
            {
                sub[i] = Next(random, Regime.Prices, ref walk);
            }

            ring.Store(s, sub);
        }

        var chunkBytes = (4L << shift) + (1 << (shift - 6));
        ring.AllocatedBytes.Should().Be(8 * chunkBytes, "8 compact chunks: 4 bytes a value and a byte a sub-block");

        // A sub-block with a 17-digit value widens its chunk; the chunk's earlier sub-blocks stay readable.
        var before = new double[10 * Sub];
        for (var s = 0; s < 10; s++)
        {
            sub.AsSpan().Fill(100 + s);
            sub.CopyTo(before, s * Sub);
            ring.Store((64 * 8) + s, sub);
        }

        ring.AllocatedBytes.Should().Be(9 * chunkBytes);
        sub.AsSpan().Fill(Math.PI);
        ring.Store((64 * 8) + 10, sub);
        ring.AllocatedBytes.Should().Be((9 * chunkBytes) + (8L << shift), "the chunk's doubles are added; its scaled array is kept as the spare");

        var back = new double[11 * Sub];
        ring.CopyTo(64L * 8 * Sub, back);
        back.AsSpan(0, 10 * Sub).ToArray().Should().Equal(before);
        back.AsSpan(10 * Sub).ToArray().Should().AllBeEquivalentTo(Math.PI);
    }

    [Test]
    public void Data_that_keeps_switching_form_allocates_nothing_once_the_ring_is_full()
    {
        // Every chunk starts compact and is widened by one -0.0 in its middle: each slot reuse gives up one array
        // and needs the other kind, which the spares provide.
        const int shift = 10;
        var ring = new CompactValueRing(1L << 14, shift);
        var sub = new double[Sub];
        var subsPerChunk = 1 << (shift - 6);
        long s = 0;
        void StoreChunks(int chunks)
        {
            for (var end = s + (chunks * subsPerChunk); s < end; s++)
            {
                sub.AsSpan().Fill(100.25);
                if (s % subsPerChunk == subsPerChunk / 2)
                {
                    sub[7] = -0.0;
                }

                ring.Store(s, sub);
            }
        }

        StoreChunks(64); // the ring is full and has been reused several times
        var bytes = ring.AllocatedBytes;
        var before = GC.GetAllocatedBytesForCurrentThread();
        StoreChunks(256);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.Should().BeLessThan(1024, "256 chunk epochs switched form without new arrays");
        ring.AllocatedBytes.Should().Be(bytes);
    }

    [Test]
    public void Sub_blocks_must_be_whole_and_stored_in_order()
    {
        var ring = new CompactValueRing(1000, 6);
        var act = () => ring.Store(0, new double[Sub - 1]);
        act.Should().Throw<ArgumentOutOfRangeException>();

        ring.Store(0, new double[Sub]);
        var skip = () => ring.Store(2, new double[Sub]);
        skip.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*the next one is 1*");
        var again = () => ring.Store(0, new double[Sub]);
        again.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Test]
    public void Only_held_values_can_be_read()
    {
        const int capacity = 1000;
        var ring = new CompactValueRing(capacity, 6);
        var values = new double[Sub];
        for (var s = 0L; s < 100; s++)
        {
            values.AsSpan().Fill(s);
            ring.Store(s, values);
        }

        var end = 100L * Sub;
        var buffer = new double[10];
        ring.CopyTo(end - 10, buffer);
        buffer.Should().AllBeEquivalentTo(99.0);
        ring.CopyTo(end - capacity - 1, buffer.AsSpan(0, 1));

        var notYet = () => ring.CopyTo(end - 5, new double[10]);
        notYet.Should().Throw<ArgumentOutOfRangeException>();
        var tooOld = () => ring.CopyTo(end - capacity - 2, new double[1]);
        tooOld.Should().Throw<ArgumentOutOfRangeException>();

        // Before the ring is full: nothing below 0, and an empty read is always fine.
        var young = new CompactValueRing(capacity, 6);
        young.Store(0, values);
        var negative = () => young.CopyTo(-2, new double[3]);
        negative.Should().Throw<ArgumentOutOfRangeException>();
        young.CopyTo(Sub + 5, []);
    }

    /// <summary>Values no d encodes, and prices with more decimals than usual.</summary>
    private static double Awkward(Random random, int kind) => kind switch
    {
        6 => random.Next(7) switch
        {
            0 => -0.0,
            1 => random.NextDouble(),
            2 => random.NextInt64(-(1L << 40), 1L << 40),
            3 => BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_0000L | random.NextInt64(1L << 51)), // NaN payloads
            4 => BitConverter.Int64BitsToDouble(random.NextInt64(1, 1L << 52)),                       // subnormals
            5 => (random.Next(2) == 0 ? -1 : 1) * (random.NextInt64(int.MaxValue - 3, (long)int.MaxValue + 3) / Math.Pow(10, random.Next(0, 10))), // ±2^31 / 10^d
            _ => double.Parse(Decimal(random.Next(), 9), CultureInfo.InvariantCulture),
        },
        7 => double.Parse(Decimal(random.Next(-2_000_000_000, 2_000_000_000), random.Next(0, 10)), CultureInfo.InvariantCulture),
        _ => random.Next(2) == 0 ? 0.0 : 1e-9 * random.Next(),
    };

    /// <summary>m / 10^decimals written in decimal, as text.</summary>
    private static string Decimal(long m, int decimals)
    {
        var digits = Math.Abs(m).ToString(CultureInfo.InvariantCulture).PadLeft(decimals + 1, '0');
        var text = decimals == 0 ? digits : $"{digits[..^decimals]}.{digits[^decimals..]}";
        return m < 0 ? "-" + text : text;
    }
}
