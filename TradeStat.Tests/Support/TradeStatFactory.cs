using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace TradeStat.Tests.Support;

/// <summary>The service in memory (TestServer), environment <c>Testing</c>, with optional configuration overrides.</summary>
/// <remarks>
/// Each instance runs <c>Program</c> again, so it gets its own empty series store. Settings are applied with
/// <c>UseSetting</c>, e.g. <c>("TradeStat:MaxSymbols", "3")</c>, and win over appsettings.json.
/// Program's Serilog bootstrap goes through the process-wide <c>Log.Logger</c>: each run creates its own bootstrap
/// logger and freezes it once, which is safe while factories start one at a time (fixtures are not parallel).
/// </remarks>
public sealed class TradeStatFactory(params (string Key, string Value)[] settings) : WebApplicationFactory<Program>
{
    /// <summary>An HttpClient that reports redirects instead of following them.</summary>
    public HttpClient CreateApiClient() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
