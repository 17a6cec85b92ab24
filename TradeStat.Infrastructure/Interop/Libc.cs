using System.Runtime.InteropServices;

namespace TradeStat.Infrastructure.Interop;

/// <summary>
/// The few POSIX calls .NET does not expose. Each returns -1 on failure and leaves errno in
/// <see cref="Marshal.GetLastPInvokeError"/>; callers check the operating system first.
/// </summary>
internal static unsafe partial class Libc
{
    public const int EBADF = 9;
    public const int EINVAL = 22;

    /// <summary>F_SETPIPE_SZ (Linux): a pipe's kernel buffer size.</summary>
    public const int SetPipeSize = 1031;

    /// <summary>MADV_HUGEPAGE (Linux): back a range with transparent huge pages where the kernel can.</summary>
    public const int AdviseHugePage = 14;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    public static partial int Madvise(void* address, nuint length, int advice);

    /// <summary>
    /// Makes a call that is only advice (a bigger pipe buffer, huge pages): its result, or -1 where libc or the entry
    /// point is missing (a libc other than glibc's names, a trimmed container), which then changes nothing.
    /// </summary>
    public static int Advise(Func<int> call)
    {
        try
        {
            return call();
        }
        catch (DllNotFoundException)
        {
            return -1;
        }
        catch (EntryPointNotFoundException)
        {
            return -1;
        }
    }
}
