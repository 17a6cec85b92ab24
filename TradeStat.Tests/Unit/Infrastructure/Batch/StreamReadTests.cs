using System.Text;
using TradeStat.Infrastructure.Batch;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Unit.Infrastructure.Batch;

/// <summary>How a stream is read: the parsers it gets, where it stops, how its progress moves.</summary>
[TestFixture]
[Category("Unit")]
public sealed class StreamReadTests
{
    [Test]
    public void By_default_a_file_gets_a_parser_a_processor_and_a_stream_one_fewer()
    {
        var automatic = new CsvReadOptions();

        automatic.ForInput(stream: false).Threads.Should().Be(Environment.ProcessorCount);
        automatic.ForInput(stream: true).Threads.Should().Be(Math.Max(1, Environment.ProcessorCount - 1));
        new CsvReadOptions { Threads = 3 }.ForInput(stream: true).Threads.Should().Be(3);
        new CsvReadOptions { Threads = 3 }.ForInput(stream: false).Threads.Should().Be(3);
        var negative = () => new TradeCsvReader<ReportMetrics>(new CsvReadOptions { Threads = -1 });
        negative.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Test]
    public void One_parser_reads_a_stream_in_segments_as_long_as_a_file_s_largest()
    {
        var options = new CsvReadOptions { Threads = 1, ChunkSize = 1 << 20 };

        options.StreamSegmentChunks.Should().Be((int)(CsvReadOptions.MaxFileSegmentBytes >> 20));
        new CsvReadOptions { Threads = 2, ChunkSize = 1 << 20 }.StreamSegmentChunks.Should().Be(16);
        new CsvReadOptions { Threads = 1, SkipInvalid = true }.StreamSegmentChunks.Should().Be(1);
        new CsvReadOptions { Threads = 1, ChunkSize = 1 }.StreamSegmentChunks.Should().Be((int)CsvReadOptions.MaxFileSegmentBytes);
    }

    [TestCase(1, 4 << 20)]
    [TestCase(2, 80 << 20)]
    public void An_invalid_line_ends_the_read_of_an_endless_stream(int threads, long mostBytesRead)
    {
        // Past the invalid second line nothing is needed: the reader stops soon after the parser meets it, not at
        // the end of the segment (256 MiB with one parser) nor of the input (never).
        using var stream = new EndlessStream("1000,aaa,1,1\n1000,aaa,x,1\n", "1000,aaa,1,1\n", limit: 1L << 30);
        var reader = new TradeCsvReader<ReportMetrics>(new CsvReadOptions { Threads = threads, ChunkSize = 64 << 10 });

        var analysis = reader.ReadStream(stream);

        analysis.Error.Should().NotBeNull();
        analysis.Error!.Line.Should().Be(2);
        stream.BytesRead.Should().BeLessThan(mostBytesRead);
    }

    [Test]
    public void With_one_parser_the_progress_moves_with_every_chunk()
    {
        // The segment is longer than the whole input: the progress must not wait for its merge at the end.
        var input = Encoding.ASCII.GetBytes(TradeInputs.Random(3, 20_000, 50));
        var half = input.Length / 2;
        using var stream = new GatedStream(input, half);
        var reader = new TradeCsvReader<ReportMetrics>(new CsvReadOptions { Threads = 1, ChunkSize = 4096 });
        var progress = new CsvProgress();

        var read = Task.Run(() => reader.ReadStream(stream, progress));
        var moved = SpinWait.SpinUntil(() => progress.Bytes > 0, TimeSpan.FromSeconds(20));
        var seenBeforeTheEnd = progress.Bytes;
        stream.Open();
        var analysis = read.GetAwaiter().GetResult();

        moved.Should().BeTrue("the progress moves while the stream is still open");
        seenBeforeTheEnd.Should().BeInRange(1, half);
        analysis.Error.Should().BeNull();
        progress.Bytes.Should().Be(input.Length);
        analysis.Lines.Should().Be(20_000);
    }

    [Test]
    public void A_file_read_from_a_line_start_matches_the_naive_reference_on_the_rest([Range(1, 8)] int seed)
    {
        // A stdin redirected from a file is read from where the shell left it: chunk 0 begins there.
        var random = new Random(seed);
        var lines = TradeInputs.Random(seed, random.Next(2, 3_000), random.Next(1, 300)).Split('\n');
        var skip = random.Next(0, lines.Length);
        var head = string.Concat(lines.Take(skip).Select(l => l + "\n"));
        var rest = string.Join('\n', lines.Skip(skip));
        var path = Path.Combine(Path.GetTempPath(), $"tradestat-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, head + rest);
        try
        {
            using var handle = File.OpenHandle(path);
            var reader = new TradeCsvReader<ReportMetrics>(
                new CsvReadOptions { Threads = 1 + seed % 3, ChunkSize = random.Next(1, 2_000), MaxLineLength = 128 });

            var analysis = reader.ReadFile(handle, Encoding.UTF8.GetByteCount(head));

            var expected = NaiveTrades.Analyze(rest);
            analysis.Error.Should().BeNull();
            analysis.Lines.Should().Be(expected.Lines);
            var output = new System.Buffers.ArrayBufferWriter<byte>();
            analysis.WriteCsv(output);
            Encoding.ASCII.GetString(output.WrittenSpan).Should().Be(expected.Output);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void A_file_read_from_its_end_or_past_it_is_empty()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tradestat-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, TradeInputs.Sample);
        try
        {
            using var handle = File.OpenHandle(path);
            var reader = new TradeCsvReader<ReportMetrics>(new CsvReadOptions());

            reader.ReadFile(handle, TradeInputs.Sample.Length).Lines.Should().Be(0);
            reader.ReadFile(handle, TradeInputs.Sample.Length + 10).Lines.Should().Be(0);
            reader.ReadFile(handle, 0).Lines.Should().Be(8);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary><paramref name="head"/>, then <paramref name="line"/> over and over, up to <paramref name="limit"/> bytes.</summary>
    private sealed class EndlessStream(string head, string line, long limit) : ForwardStream
    {
        private readonly byte[] _head = Encoding.ASCII.GetBytes(head);
        private readonly byte[] _line = Encoding.ASCII.GetBytes(line);

        public long BytesRead => Given;

        public override int Read(Span<byte> buffer)
        {
            var n = 0;
            while (n < buffer.Length && Given < limit)
            {
                var source = Given < _head.Length ? _head : _line;
                var at = Given < _head.Length ? Given : (Given - _head.Length) % _line.Length;
                buffer[n++] = source[at];
                Given++;
            }

            return n;
        }
    }

    /// <summary>Gives the first <paramref name="gate"/> bytes, then waits for <see cref="Open"/> before the rest.</summary>
    private sealed class GatedStream(byte[] data, int gate) : ForwardStream
    {
        private readonly ManualResetEventSlim _open = new();

        public void Open() => _open.Set();

        public override int Read(Span<byte> buffer)
        {
            if (Given >= gate)
            {
                _open.Wait();
            }

            var end = Given < gate ? gate : data.Length;
            var n = (int)Math.Min(buffer.Length, end - Given);
            data.AsSpan((int)Given, n).CopyTo(buffer);
            Given += n;
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _open.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>A read-only, forward-only stream, as a pipe is: the subclass gives bytes and counts them in <see cref="Given"/>.</summary>
    private abstract class ForwardStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Given; set => throw new NotSupportedException(); }

        /// <summary>Bytes given so far.</summary>
        protected long Given { get; set; }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public abstract override int Read(Span<byte> buffer);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
