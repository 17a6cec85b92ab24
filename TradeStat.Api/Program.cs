using Serilog;
using TradeStat.Api;

// Two-stage Serilog bootstrap: log start-up failures before configuration is read.
Log.Logger = new LoggerConfiguration()
    .WriteTo.Console()
    .CreateBootstrapLogger();

try
{
    // The slim builder: configuration (appsettings, environment, command line), Kestrel and logging, without
    // the defaults this service does not use (IIS integration, static web assets, implicit authentication and
    // authorization middleware, hosting startup assemblies). HTTPS endpoints from configuration still work.
    // Its content root is the application's directory unless the user names one, so it starts the same from anywhere.
    var builder = WebApplication.CreateSlimBuilder(HostingExtensions.StartOptions(args));
    builder.WebHost.UseKestrelHttpsConfiguration();
    builder.UseDefaultUrlWhenNoneConfigured("http://localhost:8080");
    builder.AddTradeStat();

    var app = builder.Build();
    app.UseApi();
    app.Run();
    return 0;
}
catch (Microsoft.Extensions.Options.OptionsValidationException ex)
{
    // A setting out of range: its message names the key and the range, and a stack trace would add nothing.
    Log.Fatal("TradeStat cannot start: {Reason:l}", ex.Message);
    return 1;
}
catch (Exception ex) when (ex is not HostAbortedException)
{
    Log.Fatal(ex, "TradeStat terminated unexpectedly");
    return 1;
}
finally
{
    Log.CloseAndFlush();
}

/// <summary>Entry point; public for <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
