namespace TradeStat.Api.Requests;

/// <summary>Body of <c>POST /add_batch/</c>: <c>{"symbol": "...", "values": [...]}</c>, values oldest first.</summary>
/// <remarks>
/// Read by <see cref="Formatting.AddBatchRequestInputFormatter"/> straight into a pooled buffer (no per-value
/// allocation); the buffer returns to the pool when the request ends.
/// </remarks>
public sealed class AddBatchRequest : IDisposable
{
    private double[]? _buffer;

    private AddBatchRequest()
    {
    }

    /// <summary>The symbol, or null when the body had none.</summary>
    public string? Symbol { get; private init; }

    /// <summary>True when the body had a <c>values</c> array.</summary>
    public bool HasValues { get; private init; }

    /// <summary>Numbers in the <c>values</c> array, counting any beyond <see cref="Domain.Series.SeriesLimits.MaxBatchSize"/> that were not kept.</summary>
    public int ValueCount { get; private init; }

    /// <summary>The values kept (at most the batch limit); valid until the request ends.</summary>
    public ReadOnlyMemory<double> Values => _buffer is null ? default : _buffer.AsMemory(0, Math.Min(ValueCount, Domain.Series.SeriesLimits.MaxBatchSize));

    internal static AddBatchRequest Create(string? symbol, bool hasValues, int valueCount, double[]? pooledBuffer) =>
        new() { Symbol = symbol, HasValues = hasValues, ValueCount = valueCount, _buffer = pooledBuffer };

    /// <inheritdoc />
    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            Formatting.RequestBuffers.Values.Return(buffer);
        }
    }
}
