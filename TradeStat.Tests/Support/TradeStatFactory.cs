using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

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
    private readonly ConcurrentQueue<LogEvent> _errors = new();

    /// <summary>
    /// The service's log events at Error and above, exceptions included: <c>Program</c> logs a failed start (e.g. an
    /// invalid setting) and exits, so the factory itself only sees that no host is running.
    /// </summary>
    public string ErrorLog => string.Join(Environment.NewLine, _errors.Select(e => $"{e.Level}: {e.RenderMessage()} {e.Exception}"));

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

        // The service's Serilog pipeline takes sinks registered as services.
        builder.ConfigureServices(services => services.AddSingleton<ILogEventSink>(new ErrorSink(_errors)));
    }

    private sealed class ErrorSink(ConcurrentQueue<LogEvent> errors) : ILogEventSink
    {
        public void Emit(LogEvent logEvent)
        {
            if (logEvent.Level >= LogEventLevel.Error)
            {
                errors.Enqueue(logEvent);
            }
        }
    }
}
