using System.Runtime.InteropServices;
using TradeStat.Infrastructure.Interop;

namespace TradeStat.Infrastructure.Batch;

/// <summary>
/// A chunk buffer outside the managed heap. One of 2 MiB or more is aligned to 2 MiB and, on Linux, advised into
/// transparent huge pages: a 2 MiB chunk is then one TLB entry instead of 512, and one page fault instead of 512 on
/// first use. A smaller one (tests' tiny chunks) is only cache-line aligned.
/// </summary>
/// <remarks>
/// Where the kernel grants no huge page (THP off, or memory fragmented) the advice is ignored and the buffer is
/// ordinary memory. Freed by <see cref="Dispose"/>, or by the finalizer when a failed read dropped it.
/// </remarks>
internal sealed unsafe class ChunkMemory : IDisposable
{
    private const nuint HugePage = 2 << 20;

    private readonly nuint _size;
    private byte* _data;

    /// <summary>Allocates <paramref name="length"/> bytes (contents undefined).</summary>
    public ChunkMemory(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        var size = ((nuint)length + 4095) & ~(nuint)4095;
        _data = (byte*)NativeMemory.AlignedAlloc(size, size >= HugePage ? HugePage : 64);
        var huge = size & ~(HugePage - 1); // the whole huge pages only: a tail past them stays in small pages
        Length = length;
        GC.AddMemoryPressure((long)size);
        _size = size;
        if (huge > 0 && OperatingSystem.IsLinux())
        {
            var data = _data;
            _ = Libc.Advise(() => Libc.Madvise(data, huge, Libc.AdviseHugePage)); // a refusal changes nothing
        }
    }

    ~ChunkMemory() => Free();

    /// <summary>Usable bytes.</summary>
    public int Length { get; }

    /// <summary>The first byte (the memory never moves).</summary>
    public byte* Data => _data;

    /// <summary>The whole buffer.</summary>
    public Span<byte> Span => new(_data, Length);

    /// <inheritdoc />
    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        if (_data != null)
        {
            NativeMemory.AlignedFree(_data);
            _data = null;
            GC.RemoveMemoryPressure((long)_size);
        }
    }
}
