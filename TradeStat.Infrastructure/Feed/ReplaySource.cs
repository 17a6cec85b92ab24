using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging;

namespace TradeStat.Infrastructure.Feed;

/// <summary>Handles one line of a recording.</summary>
internal delegate void LineHandler(ReadOnlySpan<byte> line);

/// <summary>
/// Feeds a recorded file of combined-stream lines through the same <see cref="TradeIngestor"/> as the live feed.
/// The universe is the exchangeInfo file's tradable symbols (every status but BREAK) when given, else the symbols seen
/// in the recording (a first pass).
/// </summary>
internal sealed class ReplaySource(FeedBook book, TradeIngestor ingestor, ILogger<ReplaySource> logger)
{
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the whole file has been fed.</summary>
    public Task Completed => _completed.Task;

    /// <summary>Loads the universe, then replays every line.</summary>
    public async Task RunAsync(string replayFile, string? exchangeInfoFile, CancellationToken token)
    {
        try
        {
            IReadOnlyList<string> symbols = exchangeInfoFile is { Length: > 0 }
                ? ExchangeInfoReader.ReadListing(await File.ReadAllBytesAsync(exchangeInfoFile, token), logger).Tradable
                : SymbolsIn(replayFile);
            book.Replace(symbols);
            logger.LogInformation("Replay of {File}: universe of {Count} symbols", replayFile, book.Symbols.Count);

            long lines = 0;
            ForEachLine(replayFile, line =>
            {
                lines++;
                if (ingestor.Process(line, out var gapped, out _) == IngestResult.Gap)
                {
                    ingestor.GiveUpAll(gapped!, "a recording cannot be back-filled");
                }
            });
            logger.LogInformation("Replay of {File}: {Lines} lines, {Trades} trades counted, {Malformed} malformed", replayFile, lines, ingestor.Metrics.Trades, ingestor.Metrics.Malformed);
            _completed.TrySetResult();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            logger.LogError(e, "Replay of {File} failed", replayFile);
            _completed.TrySetException(e);
        }
    }

    /// <summary>The distinct symbols of the trades in a recording.</summary>
    internal static IReadOnlyList<string> SymbolsIn(string file)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        ForEachLine(file, line =>
        {
            Span<byte> symbol = stackalloc byte[TradeMessageParser.MaxSymbolBytes];
            if (TradeMessageParser.Parse(line, symbol, out var trade) == FrameKind.Trade)
            {
                seen.Add(Encoding.UTF8.GetString(symbol[..trade.SymbolLength]));
            }
        });
        return [.. seen];
    }

    /// <summary>Calls <paramref name="handler"/> with each non-empty line of <paramref name="file"/> (any length, no per-line allocation).</summary>
    internal static void ForEachLine(string file, LineHandler handler)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        var filled = 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, filled).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = stream.Read(buffer, filled, buffer.Length - filled);
                var end = filled + read;
                var start = 0;
                int newline;
                while ((newline = buffer.AsSpan(start, end - start).IndexOf((byte)'\n')) >= 0)
                {
                    var line = buffer.AsSpan(start, newline).TrimEnd((byte)'\r');
                    if (!line.IsEmpty)
                    {
                        handler(line);
                    }

                    start += newline + 1;
                }

                if (read == 0)
                {
                    var last = buffer.AsSpan(start, end - start).TrimEnd((byte)'\r');
                    if (!last.IsEmpty)
                    {
                        handler(last);
                    }

                    return;
                }

                buffer.AsSpan(start, end - start).CopyTo(buffer);
                filled = end - start;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
