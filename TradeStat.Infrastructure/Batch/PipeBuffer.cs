using TradeStat.Infrastructure.Interop;

namespace TradeStat.Infrastructure.Batch;

/// <summary>Enlarges a Linux pipe's kernel buffer (64 KiB by default), so each read and write moves more at once.</summary>
public static class PipeBuffer
{
    /// <summary>Asks for <paramref name="bytes"/> of pipe buffer on <paramref name="fd"/>; false when it is not a pipe or not allowed.</summary>
    public static bool TryEnlarge(int fd, int bytes) =>
        OperatingSystem.IsLinux() && Libc.Advise(() => Libc.Fcntl(fd, Libc.SetPipeSize, bytes)) >= 0;
}
