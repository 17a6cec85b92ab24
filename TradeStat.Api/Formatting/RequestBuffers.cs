using System.Buffers;
using System.Numerics;
using TradeStat.Domain.Series;

namespace TradeStat.Api.Formatting;

/// <summary>
/// Pools for the per-request buffers of <c>add_batch</c>. Both are large-object-heap sized (128 KiB for the values
/// and a typical body), and <see cref="ArrayPool{T}.Shared"/> keeps only a few arrays per size and core, so under
/// many concurrent requests its misses would allocate on the LOH and drive full collections. These pools keep
/// enough arrays for dozens of requests in flight: a bounded amount retained, no LOH churn.
/// </summary>
internal static class RequestBuffers
{
    /// <summary>Value buffers: one array per request, at least <see cref="SeriesLimits.MaxBatchSize"/> long.</summary>
    public static readonly ArrayPool<double> Values = ArrayPool<double>.Create(maxArrayLength: (int)BitOperations.RoundUpToPowerOf2(SeriesLimits.MaxBatchSize), maxArraysPerBucket: 64);

    /// <summary>Contiguous copies of request bodies (power-of-two buckets up to 4 MiB).</summary>
    public static readonly ArrayPool<byte> Bodies = ArrayPool<byte>.Create(maxArrayLength: 4 * 1024 * 1024, maxArraysPerBucket: 16);
}
