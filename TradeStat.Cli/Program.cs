namespace TradeStat.Cli;

/// <summary>Process entry; see <see cref="CommandLine"/>.</summary>
internal static class Program
{
    private static int Main(string[] args) => CommandLine.Run(args, Console.Out, Console.Error);
}
