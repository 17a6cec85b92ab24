using System.Globalization;

namespace TradeStat.Cli;

/// <summary>Entry point: <c>[analyze] [INPUT|-] [OUTPUT|-] [options]</c>, <c>gen [options]</c>, <c>--help</c>.</summary>
internal static class CommandLine
{
    public const string Help = """
        TradeStat.Cli: per-symbol trade statistics from a CSV file or stdin, in constant memory.

        Usage:
          TradeStat.Cli [analyze] [INPUT|-] [OUTPUT|-] [--skip-invalid] [--threads N]
          TradeStat.Cli gen [--rows N] [--symbols N] [--distribution D] [--seed N] [--stdout | -o FILE]
          TradeStat.Cli --help

        analyze (the default command)
          INPUT     trade lines "<TimeStamp>,<Symbol>,<Quantity>,<Price>" (default input.csv; - = stdin).
                    TimeStamp: microseconds since midnight, never decreasing; Symbol: 1-32 bytes, no comma or
                    control character (3 printable ASCII bytes take the fast path); Quantity, Price: integers
                    1..9223372036854775807. A line ends with \n (\r\n accepted); the last \n may be missing.
          OUTPUT    one line per symbol, sorted by symbol (byte order), default output.csv (- = stdout):
                    <symbol>,<MaxTimeGap>,<Volume>,<WeightedAveragePrice>,<MaxPrice>
                    MaxTimeGap: largest time between consecutive trades of the symbol (0 for one trade);
                    Volume: sum of quantities; WeightedAveragePrice: sum(quantity*price)/sum(quantity),
                    truncated; MaxPrice: largest price. Sums are exact (128/192-bit), never overflow.
                    The file is written atomically (temporary file, then rename) and only on success; a failed
                    run deletes an OUTPUT left by an earlier run, so no stale result survives.
          --skip-invalid  count invalid lines and go on; the count and the first one go to stderr.
                    Without it the first invalid line (malformed, quantity or price not positive, timestamp
                    smaller than the previous line's) stops the run: "line N: reason" on stderr, exit status 1.
          --threads N     parsing threads (default: the number of processors for a file, one fewer for
                    stdin). A file is read in parallel chunks split at line boundaries; stdin is read by one
                    more thread while the others parse (a stdin redirected from a file, "- < FILE", is read
                    like a file, from where the shell left it).
          An empty input gives an empty output. When stderr is a terminal a progress line shows bytes, rows
          and rate. Exit status: 0 success, 1 invalid input, 2 usage error, 3 I/O error.

        gen: writes realistic test trades (timestamps from 09:30 on, never decreasing; skewed symbol
          popularity by default; prices as random walks; quantities mostly small)
          --rows N       number of lines (default 10000000; suffixes k, M, G allowed: 10G)
          --symbols N    distinct 3-character symbols, 1..238328 (default 500): lowercase letters up to 17576,
                         letters and digits beyond
          --distribution D  how often each symbol is drawn: sqrt (default: density ~ 1/sqrt(rank), a few
                         symbols dominate), uniform (all equally often), zipf (rank k with probability ~ 1/k^1.1)
          --seed N       random seed (default 1); the same seed gives the same bytes
          --stdout       write to stdout instead of a file
          -o FILE        output file (default input.csv)
        """;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length > 0 && (args[0] == "help" || Array.Exists(args, a => a is "--help" or "-h")))
        {
            stdout.WriteLine(Help);
            return ExitCodes.Success;
        }

        try
        {
            if (args.Length > 0 && args[0] == "gen")
            {
                return GenerateCommand.Run(GenerateCommand.Options.Parse(args[1..]), stderr);
            }

            var rest = args.Length > 0 && args[0] == "analyze" ? args[1..] : args;
            return AnalyzeCommand.Run(AnalyzeCommand.Options.Parse(rest), stderr);
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            stderr.WriteLine("Run with --help for usage.");
            return ExitCodes.Usage;
        }
    }

    /// <summary>A positive integer with an optional k/M/G (10^3/10^6/10^9) suffix.</summary>
    public static long ParseCount(string name, string? text, long min, long max)
    {
        if (string.IsNullOrEmpty(text))
        {
            throw new UsageException($"{name} needs a value");
        }

        var multiplier = 1L;
        var digits = text;
        switch (text[^1])
        {
            case 'k' or 'K':
                multiplier = 1_000;
                digits = text[..^1];
                break;
            case 'm' or 'M':
                multiplier = 1_000_000;
                digits = text[..^1];
                break;
            case 'g' or 'G':
                multiplier = 1_000_000_000;
                digits = text[..^1];
                break;
        }

        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            || value > max / multiplier || value * multiplier < min)
        {
            throw new UsageException($"{name} must be an integer from {min} to {max}, got '{text}'");
        }

        return value * multiplier;
    }
}

/// <summary>A command line that cannot be run.</summary>
internal sealed class UsageException(string message) : Exception(message);
