using TradeStat.Tests.Support;

// The root namespace: a set-up fixture covers the tests of its own namespace and those below it.
namespace TradeStat.Tests;

/// <summary>Deletes the decompressed recordings of <see cref="Recordings.PathOf"/> once every test of the assembly has run.</summary>
[SetUpFixture]
public sealed class RecordingCopiesCleanup
{
    [OneTimeTearDown]
    public void DeleteCopies() => Recordings.DeleteCopies();
}
