using System.Runtime.InteropServices;

namespace TradeStat.Infrastructure.Batch;

/// <summary>Enlarges a Linux pipe's kernel buffer (64 KiB by default), so each read and write moves more at once.</summary>
public static partial class PipeBuffer
{
    private const int SetPipeSize = 1031; // F_SETPIPE_SZ

    /// <summary>Asks for <paramref name="bytes"/> of pipe buffer on <paramref name="fd"/>; false when it is not a pipe or not allowed.</summary>
    public static bool TryEnlarge(int fd, int bytes)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return Fcntl(fd, SetPipeSize, bytes) >= 0;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);
}
