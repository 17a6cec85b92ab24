namespace TradeStat.Infrastructure.Feed;

/// <summary>
/// A feed checkpoint that cannot be loaded: damaged (torn, truncated, a changed byte, trailing bytes, an impossible
/// value) or of a format version this build cannot read. Nothing of such a checkpoint is loaded. The message names the
/// checkpoint and, for a version mismatch, both versions.
/// </summary>
/// <remarks>
/// An <see cref="IOException"/>: <see cref="InvalidDataException"/>, the closer meaning, is sealed. Catch this type
/// before <see cref="IOException"/> to tell a bad checkpoint from a file that could not be read at all.
/// </remarks>
public sealed class FeedCheckpointException : IOException
{
    /// <summary>Creates the exception with a default message.</summary>
    public FeedCheckpointException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public FeedCheckpointException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it.</summary>
    public FeedCheckpointException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a checkpoint of format version <paramref name="foundVersion"/>.</summary>
    public FeedCheckpointException(string message, int foundVersion)
        : base(message) => FoundVersion = foundVersion;

    /// <summary>
    /// The format version the checkpoint declares when that version is not the one this build reads; null for damage.
    /// A caller can tell a checkpoint written by a newer build (worth keeping) from a damaged one.
    /// </summary>
    public int? FoundVersion { get; }
}
