using BenchmarkDotNet.Running;
using TradeStat.Benchmarks.Ceiling;

// `ceiling [--urls URL]` runs the plain-Kestrel ceiling app for HTTP load comparisons;
// anything else goes to BenchmarkDotNet (e.g. `--filter '*Ingest*'`).
if (args.Length > 0 && args[0] == "ceiling")
{
    await CeilingApp.RunAsync(args[1..]);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(CeilingApp).Assembly).Run(args);
