using System.Buffers;
using System.Buffers.Text;

namespace TradeStat.Domain.Batch;

/// <summary>Writes comma-separated output rows as UTF-8 into a buffer: a key, then the metrics' columns.</summary>
public sealed class CsvRowWriter(IBufferWriter<byte> output)
{
    private readonly IBufferWriter<byte> _output = output ?? throw new ArgumentNullException(nameof(output));

    /// <summary>Starts a row with its key column (the symbol's bytes).</summary>
    public void BeginRow(ReadOnlySpan<byte> key) => _output.Write(key);

    /// <summary>Appends a comma and an integer column.</summary>
    public void Column(long value)
    {
        var span = _output.GetSpan(21);
        span[0] = (byte)',';
        Utf8Formatter.TryFormat(value, span[1..], out var written);
        _output.Advance(written + 1);
    }

    /// <summary>Appends a comma and a 128-bit unsigned integer column.</summary>
    public void Column(UInt128 value)
    {
        var span = _output.GetSpan(41);
        span[0] = (byte)',';
        value.TryFormat(span[1..], out var written, default, null);
        _output.Advance(written + 1);
    }

    /// <summary>Ends the row with a line feed.</summary>
    public void EndRow() => _output.Write("\n"u8);
}
