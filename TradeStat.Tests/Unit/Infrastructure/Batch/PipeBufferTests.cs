using System.IO.Pipes;
using TradeStat.Infrastructure.Batch;
using TradeStat.Infrastructure.Interop;

namespace TradeStat.Tests.Unit.Infrastructure.Batch;

[TestFixture]
[Category("Unit")]
public sealed class PipeBufferTests
{
    private const int GetPipeSize = 1032; // F_GETPIPE_SZ

    [Test]
    public void A_pipe_gets_the_buffer_asked_for_and_a_regular_file_is_refused()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("pipe buffer sizes are Linux's");
        }

        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        var fd = (int)pipe.SafePipeHandle.DangerousGetHandle();

        PipeBuffer.TryEnlarge(fd, 1 << 20).Should().BeTrue();
        Libc.Fcntl(fd, GetPipeSize, 0).Should().Be(1 << 20);

        var path = Path.GetTempFileName();
        try
        {
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
            PipeBuffer.TryEnlarge((int)file.DangerousGetHandle(), 1 << 20).Should().BeFalse();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Advice_that_cannot_be_given_changes_nothing()
    {
        Libc.Advise(() => throw new DllNotFoundException()).Should().Be(-1);
        Libc.Advise(() => throw new EntryPointNotFoundException()).Should().Be(-1);
        Libc.Advise(() => 7).Should().Be(7);
    }
}
