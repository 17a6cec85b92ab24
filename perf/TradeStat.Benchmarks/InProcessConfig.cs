using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace TradeStat.Benchmarks;

/// <summary>
/// Benchmarks that run in this process (3 warm-up, 10 measured iterations): for setups too costly to repeat in a
/// child process per case, such as a 10^8-point series filled once for every k, or a whole app host.
/// </summary>
internal sealed class InProcessConfig : ManualConfig
{
    public InProcessConfig() =>
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(3)
            .WithIterationCount(10));
}
