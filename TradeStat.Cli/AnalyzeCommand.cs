using System.Buffers;
using System.Diagnostics;
using Microsoft.Win32.SafeHandles;
using TradeStat.Domain.Batch;
using TradeStat.Infrastructure.Batch;

namespace TradeStat.Cli;

/// <summary>Reads trades from a file or stdin, writes the per-symbol statistics atomically.</summary>
internal static class AnalyzeCommand
{
    public static int Run(Options options, TextWriter stderr)
    {
        var readOptions = new CsvReadOptions
        {
            SkipInvalid = options.SkipInvalid,
            Threads = options.Threads,
            ChunkSize = options.ChunkSize,
        };
        if (MissingDirectory(options.Output) is { } directory)
        {
            // Said now, not after reading the whole input, and naming what is missing rather than a temporary file.
            stderr.WriteLine($"error: cannot write {options.Output}: the directory {directory} does not exist");
            return ExitCodes.IoError;
        }

        var reader = new TradeCsvReader<ReportMetrics>(readOptions);
        var progress = new CsvProgress();
        var stopwatch = Stopwatch.StartNew();
        CsvAnalysis<ReportMetrics> analysis;
        try
        {
            using var line = Console.IsErrorRedirected ? null : new ProgressLine(progress, stderr, stopwatch);
            if (options.Input == "-")
            {
                using var stdin = new FileStream(new SafeFileHandle(0, ownsHandle: false), FileAccess.Read, 0);
                if (RegularFileStart(stdin) is { } start)
                {
                    // `run.sh - < file`: a file after all, read in parallel like one, from where the shell left it.
                    analysis = reader.ReadFile(stdin.SafeFileHandle, start, progress);
                }
                else
                {
                    PipeBuffer.TryEnlarge(0, 1 << 20);
                    analysis = reader.ReadStream(stdin, progress);
                }
            }
            else
            {
                analysis = reader.ReadFile(options.Input, progress);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"error: cannot read {Describe(options.Input)}: {e.Message}");
            DeleteStale(options.Output, stderr);
            return ExitCodes.IoError;
        }

        if (analysis.Error is { } error)
        {
            stderr.WriteLine($"error: {Describe(options.Input)} {error}");
            stderr.WriteLine("Nothing was written. Use --skip-invalid to skip invalid lines instead.");
            DeleteStale(options.Output, stderr);
            return ExitCodes.InvalidInput;
        }

        var output = new ArrayBufferWriter<byte>(Math.Max(256, analysis.Trades.SymbolCount * 64));
        analysis.WriteCsv(output);
        try
        {
            if (options.Output == "-")
            {
                using var stdout = Console.OpenStandardOutput();
                stdout.Write(output.WrittenSpan);
            }
            else
            {
                AtomicFile.Write(options.Output, output.WrittenSpan);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"error: cannot write {options.Output}: {e.Message}");
            return ExitCodes.IoError;
        }

        if (analysis.InvalidLines > 0)
        {
            stderr.WriteLine($"skipped {analysis.InvalidLines} invalid line(s) of {analysis.Lines}; first: {analysis.FirstInvalid}");
        }

        if (!Console.IsErrorRedirected)
        {
            var seconds = Math.Max(stopwatch.Elapsed.TotalSeconds, 1e-9);
            stderr.WriteLine(
                $"{analysis.Lines:N0} lines, {analysis.Trades.SymbolCount:N0} symbols, {analysis.Bytes / 1e6:N1} MB in {seconds:N2} s ({analysis.Bytes / 1e9 / seconds:N2} GB/s) -> {options.Output}");
        }

        return ExitCodes.Success;
    }

    private static string Describe(string input) => input == "-" ? "stdin" : input;

    // The directory an output file would go into, when it does not exist; null for stdout or an existing directory.
    private static string? MissingDirectory(string output)
    {
        if (output == "-")
        {
            return null;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(output));
        return directory is null || Directory.Exists(directory) ? null : directory;
    }

    private static void DeleteStale(string output, TextWriter stderr)
    {
        if (output == "-" || !File.Exists(output))
        {
            return;
        }

        try
        {
            File.Delete(output);
            stderr.WriteLine($"Removed the earlier {output} so that no stale result is left.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"warning: could not remove the earlier {output}: {e.Message}");
        }
    }

    /// <summary>
    /// Where to start reading <paramref name="stdin"/> as a file, when it is one: seekable with bytes left from its
    /// position (a pipe, a terminal or a character device is not seekable or has no length). Null otherwise.
    /// </summary>
    internal static long? RegularFileStart(FileStream stdin)
    {
        try
        {
            if (!stdin.CanSeek)
            {
                return null;
            }

            var position = stdin.Position;
            return RandomAccess.GetLength(stdin.SafeFileHandle) > position ? position : null;
        }
        catch (Exception e) when (e is IOException or NotSupportedException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The analyze command's arguments.</summary>
    internal sealed record Options(string Input, string Output, bool SkipInvalid, int Threads, int ChunkSize)
    {
        public static Options Parse(string[] args)
        {
            var positional = new List<string>();
            var skipInvalid = false;
            var threads = 0; // the reader decides: one a processor for a file, one fewer for stdin
            var chunkSize = CsvReadOptions.DefaultChunkSize;
            for (var i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--skip-invalid":
                        skipInvalid = true;
                        break;
                    case "--threads":
                        threads = (int)CommandLine.ParseCount("--threads", i + 1 < args.Length ? args[++i] : null, 1, 256);
                        break;
                    case "--chunk-size": // undocumented: for experiments and tests
                        chunkSize = (int)CommandLine.ParseCount("--chunk-size", i + 1 < args.Length ? args[++i] : null, 1, 1 << 28);
                        break;
                    case "-" or "--":
                        positional.Add(args[i]);
                        break;
                    default:
                        if (args[i].StartsWith('-'))
                        {
                            throw new UsageException($"unknown option '{args[i]}'");
                        }

                        positional.Add(args[i]);
                        break;
                }
            }

            positional.Remove("--");
            if (positional.Count > 2)
            {
                throw new UsageException($"expected at most INPUT and OUTPUT, got {positional.Count} arguments");
            }

            var input = positional.Count > 0 ? positional[0] : "input.csv";
            var output = positional.Count > 1 ? positional[1] : "output.csv";
            return new Options(input, output, skipInvalid, threads, chunkSize);
        }
    }
}
