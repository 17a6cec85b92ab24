using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TradeStat.Tests.Support;

/// <summary>
/// The built service as a real OS process (<c>dotnet TradeStat.Api.dll --urls http://127.0.0.1:port</c>), started
/// the way a user would from the build output, with its stdout and stderr captured line by line.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private const int StartAttempts = 3;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    private ServiceProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    /// <summary>http://127.0.0.1:port/ of the service.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Operating-system process id.</summary>
    public int Id => _process.Id;

    /// <summary>Lines written to stdout so far.</summary>
    public IReadOnlyList<string> StandardOutput => [.. _stdout];

    /// <summary>Lines written to stderr so far.</summary>
    public IReadOnlyList<string> StandardError => [.. _stderr];

    /// <summary>True once the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Exit code; only valid once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Starts the service in environment <paramref name="environment"/> and waits until <c>/health/live</c> answers.
    /// </summary>
    /// <param name="environment">ASPNETCORE_ENVIRONMENT of the process.</param>
    /// <param name="arguments">Extra command-line arguments, e.g. <c>--Kestrel:Limits:MaxRequestBodySize=1000</c>.</param>
    public static async Task<ServiceProcess> StartAsync(string environment = "Production", params string[] arguments)
    {
        // The free port is found by binding port 0 and releasing it, so another process may take it in between:
        // retry a bounded number of times when the service dies before it answers.
        var failures = new List<string>();
        for (var attempt = 1; attempt <= StartAttempts; attempt++)
        {
            var service = Launch(FreeLoopbackPort(), environment, arguments);
            // Still running after answering: the answer came from this process, not from whoever took the port.
            if (await service.WaitUntilLiveAsync() && !service.HasExited)
            {
                return service;
            }

            failures.Add($"attempt {attempt}: {service.Describe()}");
            await service.DisposeAsync();
        }

        throw new InvalidOperationException($"The service did not start:{Environment.NewLine}{string.Join(Environment.NewLine, failures)}");
    }

    /// <summary>A client for the service that reports redirects instead of following them.</summary>
    public HttpClient CreateClient() =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>Sends SIGTERM with <c>/bin/kill</c>, as a service manager would.</summary>
    public async Task SendSigtermAsync()
    {
        using var kill = Process.Start(new ProcessStartInfo("/bin/kill", ["-TERM", Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            UseShellExecute = false,
        })!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await kill.WaitForExitAsync(timeout.Token);
        kill.ExitCode.Should().Be(0, "kill -TERM must reach the service");
    }

    /// <summary>Waits for the process to end and its output to be drained; false on timeout.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Exit state and captured output, for failure messages.</summary>
    public string Describe() =>
        $"{(HasExited ? $"exited with {ExitCode}" : "running")}{Environment.NewLine}"
        + $"stdout:{Environment.NewLine}{string.Join(Environment.NewLine, _stdout)}{Environment.NewLine}"
        + $"stderr:{Environment.NewLine}{string.Join(Environment.NewLine, _stderr)}";

    /// <summary>Kills the process if it is still running.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
    }

    private static ServiceProcess Launch(int port, string environment, string[] arguments)
    {
        // Referenced as a project, the service is built into the test's own output directory.
        var dll = typeof(Program).Assembly.Location;
        var url = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!, // the content root, where appsettings.json is
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])[dll, "--urls", url, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        // Only what a user would set: nothing inherited from the test host may configure the service.
        var inherited = start.Environment.Keys
            .Where(k => k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
                || k.StartsWith("TradeStat__", StringComparison.OrdinalIgnoreCase)
                || k.StartsWith("Kestrel__", StringComparison.OrdinalIgnoreCase)
                || k.StartsWith("Serilog__", StringComparison.OrdinalIgnoreCase)
                || k.Equals("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase))
            .ToList();
        foreach (var key in inherited)
        {
            start.Environment.Remove(key);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;

        var process = new Process { StartInfo = start };
        var service = new ServiceProcess(process, new Uri(url + "/"));
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                service._stdout.Enqueue(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                service._stderr.Enqueue(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    private async Task<bool> WaitUntilLiveAsync()
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(2),
        };

        // An exited process will never answer: stop polling, and report it as not live.
        return await Eventually.TryUntilAsync(async () => HasExited || await IsLiveAsync(client), StartTimeout, PollInterval) && !HasExited;
    }

    private static async Task<bool> IsLiveAsync(HttpClient client)
    {
        try
        {
            using var response = await client.GetAsync("health/live");
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            // Not listening yet.
            return false;
        }
    }

    private static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>The dotnet host running the tests (set by the SDK), else the one on PATH.</summary>
    private static string DotnetHost()
    {
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        var current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }
}
