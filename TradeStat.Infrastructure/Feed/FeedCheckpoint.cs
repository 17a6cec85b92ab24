using System.Text;

namespace TradeStat.Infrastructure.Feed;

/// <summary>
/// The feed's checkpoint file: every symbol's durable state (<see cref="SymbolState"/>), so the all-time medians
/// survive a restart. Binary, little-endian, versioned; layout in docs/feed.md, "Checkpoint format":
/// <code>
/// header  : magic "TSFEEDCK" (8 bytes) | version int32 | symbol count int32 | created UTC ticks int64
/// record* : name length varint | name UTF-8 | count varint | last price varint | last trade id + 1 varint
///           | last time varint | missed varint | significant digits byte | max relative error float64
///           | level count varint | per level: price − previous price varint (the first from 0), count varint
/// trailer : CRC-64 (ECMA-182) of every byte before it, uint64
/// </code>
/// Varints are unsigned LEB128 in their shortest form. Writing and reading both stream through a pooled buffer, so
/// neither holds the file in memory; reading verifies the checksum over the whole file before it decodes any record.
/// </summary>
internal static partial class FeedCheckpoint
{
    /// <summary>The format version this build writes and the only one it reads.</summary>
    public const int Version = 1;

    /// <summary>Bytes before the first record.</summary>
    internal const int HeaderBytes = 24;

    /// <summary>Bytes of the trailer (the checksum).</summary>
    internal const int TrailerBytes = 8;

    /// <summary>Bytes read from the file at a time.</summary>
    internal const int ReadWindowBytes = 1 << 20;

    /// <summary>Smallest record: a one-byte name, one-byte varints, the digits byte and the float64.</summary>
    internal const int MinRecordBytes = 1 + 1 + 5 + 1 + 8 + 1;

    // Strict both ways: a lone surrogate cannot be written, invalid bytes cannot be read.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>"TSFEEDCK": the first 8 bytes of every checkpoint.</summary>
    internal static ReadOnlySpan<byte> Magic => "TSFEEDCK"u8;

    /// <summary>
    /// Writes a checkpoint of <paramref name="states"/> to <paramref name="destination"/> and returns the bytes written.
    /// Each symbol is locked only while its record is encoded into the buffer; the buffer goes to the stream between
    /// records, so memory stays at one buffer of at least the largest record, whatever the number of symbols.
    /// </summary>
    /// <exception cref="ArgumentException">A symbol name is empty, longer than
    /// <see cref="TradeMessageParser.MaxSymbolBytes"/> UTF-8 bytes, not valid UTF-16, or listed twice: such a
    /// checkpoint could not be read back, so none is written.</exception>
    public static long Write(Stream destination, IEnumerable<FeedSymbol> states, DateTimeOffset created)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(states);

        // The header carries the count, and the stream may not seek back to it: the symbols are listed first.
        var symbols = new List<FeedSymbol>(states is ICollection<FeedSymbol> collection ? collection.Count : 0);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var symbol in states)
        {
            var problem = FindSymbolNameProblem(symbol.Symbol);
            if (problem is not null)
            {
                throw new ArgumentException($"Symbol {symbols.Count}: {problem}.", nameof(states));
            }

            if (!names.Add(symbol.Symbol))
            {
                throw new ArgumentException($"Symbol {symbol.Symbol} is listed twice.", nameof(states));
            }

            symbols.Add(symbol);
        }

        using var writer = new Writer(destination);
        writer.WriteHeader(symbols.Count, created);
        foreach (var symbol in symbols)
        {
            symbol.WriteState(writer);
            writer.FlushIfFull();
        }

        return writer.Finish();
    }

    /// <summary>
    /// Reads and verifies a whole checkpoint from a seekable stream: magic, version and checksum first, then every record
    /// and value, each record handed to <paramref name="each"/> once it is sound, in the order written. When this
    /// throws, some records may have been handed over already: keep them aside until it returns. O(size) time; memory is
    /// one read window and the record being decoded.
    /// </summary>
    /// <param name="data">The checkpoint, from its first byte to its last (seekable).</param>
    /// <param name="source">Names the checkpoint in error messages (its path).</param>
    /// <param name="each">Receives each symbol's state.</param>
    /// <returns>When the checkpoint was written.</returns>
    /// <exception cref="FeedCheckpointException">Any damage, or a version other than <see cref="Version"/>.</exception>
    public static DateTimeOffset Read(Stream data, string source, Action<SymbolState> each)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(each);
        if (!data.CanSeek)
        {
            throw new ArgumentException("A checkpoint is read twice (checksum, then records): the stream must seek.", nameof(data));
        }

        using var reader = new Reader(data, source);
        return reader.ReadAll(each);
    }

    /// <summary>
    /// Reads and verifies a whole checkpoint held in memory (<see cref="Read(Stream, string, Action{SymbolState})"/>)
    /// and returns every state, only when all of it is sound.
    /// </summary>
    /// <exception cref="FeedCheckpointException">Any damage, or a version other than <see cref="Version"/>.</exception>
    public static FeedCheckpointContents Read(ReadOnlySpan<byte> data, string source)
    {
        using var stream = new MemoryStream(data.ToArray(), writable: false);
        return ReadContents(stream, source);
    }

    /// <summary>Reads the file at <paramref name="path"/> and verifies it as <see cref="Read(ReadOnlySpan{byte}, string)"/>.</summary>
    /// <exception cref="FeedCheckpointException">Any damage, or a version other than <see cref="Version"/>.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static FeedCheckpointContents Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = OpenForReading(path);
        return ReadContents(file, path);
    }

    /// <summary>Opens a checkpoint file for the sequential reads of <see cref="Read(Stream, string, Action{SymbolState})"/>.</summary>
    internal static FileStream OpenForReading(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);

    private static FeedCheckpointContents ReadContents(Stream data, string source)
    {
        var states = new List<SymbolState>();
        var created = Read(data, source, states.Add);
        return new FeedCheckpointContents(created, states);
    }

    /// <summary>Why <paramref name="symbol"/> cannot be a checkpoint's symbol name, or null when it can.</summary>
    internal static string? FindSymbolNameProblem(string? symbol)
    {
        if (string.IsNullOrEmpty(symbol))
        {
            return "empty symbol name";
        }

        int bytes;
        try
        {
            bytes = StrictUtf8.GetByteCount(symbol);
        }
        catch (EncoderFallbackException)
        {
            return "symbol name is not valid UTF-16 (a lone surrogate)";
        }

        return bytes > TradeMessageParser.MaxSymbolBytes
            ? $"symbol name of {bytes} UTF-8 bytes, over {TradeMessageParser.MaxSymbolBytes}"
            : null;
    }
}

/// <summary>A checkpoint's contents: when it was written, and every symbol's state in the order written.</summary>
internal sealed record FeedCheckpointContents(DateTimeOffset Created, IReadOnlyList<SymbolState> Symbols);
