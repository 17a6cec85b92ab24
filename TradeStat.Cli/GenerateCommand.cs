using TradeStat.Infrastructure.Batch;

namespace TradeStat.Cli;

/// <summary>The <c>gen</c> command: test trades to a file or stdout.</summary>
internal static class GenerateCommand
{
    public static int Run(Options options, TextWriter stderr)
    {
        var generator = new TradeGenerator(options.Rows, options.Symbols, options.Seed, options.Distribution);
        try
        {
            if (options.ToStdout)
            {
                PipeBuffer.TryEnlarge(1, 1 << 20);
                using var stdout = Console.OpenStandardOutput();
                generator.WriteTo(stdout);
            }
            else
            {
                using var file = new FileStream(options.OutputFile, FileMode.Create, FileAccess.Write, FileShare.Read, 1);
                generator.WriteTo(file);
            }
        }
        catch (IOException e)
        {
            // A closed pipe (e.g. `gen --stdout | head`) ends the generation; anything else is an error.
            if (options.ToStdout)
            {
                return ExitCodes.Success;
            }

            stderr.WriteLine($"error: cannot write {options.OutputFile}: {e.Message}");
            return ExitCodes.IoError;
        }

        return ExitCodes.Success;
    }

    /// <summary>The gen command's arguments.</summary>
    internal sealed record Options(
        long Rows, int Symbols, ulong Seed, SymbolDistribution Distribution, bool ToStdout, string OutputFile)
    {
        public static Options Parse(string[] args)
        {
            long rows = 10_000_000;
            var symbols = 500;
            ulong seed = 1;
            var distribution = SymbolDistribution.Sqrt;
            var toStdout = false;
            var file = "input.csv";
            for (var i = 0; i < args.Length; i++)
            {
                var value = i + 1 < args.Length ? args[i + 1] : null;
                switch (args[i])
                {
                    case "--rows":
                        rows = CommandLine.ParseCount("--rows", value, 0, long.MaxValue);
                        i++;
                        break;
                    case "--symbols":
                        symbols = (int)CommandLine.ParseCount("--symbols", value, 1, TradeGenerator.MaxSymbols);
                        i++;
                        break;
                    case "--seed":
                        seed = (ulong)CommandLine.ParseCount("--seed", value, 0, long.MaxValue);
                        i++;
                        break;
                    case "--distribution":
                        distribution = value switch
                        {
                            "sqrt" => SymbolDistribution.Sqrt,
                            "uniform" => SymbolDistribution.Uniform,
                            "zipf" => SymbolDistribution.Zipf,
                            null => throw new UsageException("--distribution needs a value: sqrt, uniform or zipf"),
                            _ => throw new UsageException($"unknown --distribution '{value}' (sqrt, uniform or zipf)"),
                        };
                        i++;
                        break;
                    case "--stdout":
                        toStdout = true;
                        break;
                    case "-o" or "--output":
                        file = value ?? throw new UsageException("-o needs a file name");
                        i++;
                        break;
                    default:
                        throw new UsageException($"unknown gen option '{args[i]}'");
                }
            }

            return new Options(rows, symbols, seed, distribution, toStdout, file);
        }
    }
}
