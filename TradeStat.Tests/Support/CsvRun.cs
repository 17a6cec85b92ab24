using System.Buffers;
using System.Text;
using TradeStat.Domain.Batch;
using TradeStat.Infrastructure.Batch;

namespace TradeStat.Tests.Support;

/// <summary>Runs <see cref="TradeCsvReader{TMetrics}"/> over text, from a temporary file or a stream.</summary>
public static class CsvRun
{
    public enum Source
    {
        File,
        Stream,
    }

    public sealed record Outcome(string Output, long Lines, long Trades, long Invalid, InputError? Error, InputError? FirstInvalid);

    public static Outcome Analyze(string input, Source source, CsvReadOptions? options = null) =>
        Analyze<ReportMetrics>(Encoding.UTF8.GetBytes(input), source, options);

    public static Outcome Analyze<TMetrics>(byte[] input, Source source, CsvReadOptions? options = null)
        where TMetrics : struct, ITradeMetric<TMetrics>
    {
        var reader = new TradeCsvReader<TMetrics>(options ?? new CsvReadOptions());
        CsvAnalysis<TMetrics> analysis;
        if (source == Source.File)
        {
            var path = Path.Combine(Path.GetTempPath(), $"tradestat-{Guid.NewGuid():N}.csv");
            File.WriteAllBytes(path, input);
            try
            {
                analysis = reader.ReadFile(path);
            }
            finally
            {
                File.Delete(path);
            }
        }
        else
        {
            using var stream = new TrickleStream(input);
            analysis = reader.ReadStream(stream);
        }

        var output = new ArrayBufferWriter<byte>();
        if (analysis.Error is null)
        {
            analysis.WriteCsv(output);
        }

        return new Outcome(Encoding.UTF8.GetString(output.WrittenSpan), analysis.Lines, analysis.TradeCount,
            analysis.InvalidLines, analysis.Error, analysis.FirstInvalid);
    }

    /// <summary>A stream that returns short, irregular reads, as a pipe does.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data, writable: false)
    {
        private int _reads;

        public override int Read(byte[] buffer, int offset, int count) =>
            base.Read(buffer, offset, Math.Min(count, 1 + (_reads++ * 7919 % 97)));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 1 + (_reads++ * 7919 % 97))]);
    }
}
