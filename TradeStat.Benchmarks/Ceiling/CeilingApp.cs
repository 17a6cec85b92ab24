namespace TradeStat.Benchmarks.Ceiling;

/// <summary>Plain Kestrel with no TradeStat code: the ceiling the service is compared against.</summary>
public static class CeilingApp
{
    public static Task RunAsync(string[] args) => throw new NotImplementedException("ceiling app: to be written");
}
