using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace TradeStat.Tests.Support;

/// <summary>How <see cref="ServiceProcess"/> starts the service; the defaults are a user's plain start.</summary>
public sealed record ServiceLaunch
{
    /// <summary>ASPNETCORE_ENVIRONMENT of the process.</summary>
    public string Environment { get; init; } = "Production";

    /// <summary>Extra command-line arguments, e.g. <c>--Kestrel:Limits:MaxRequestBodySize=1000</c>.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>The service's entry assembly; by default the one built beside the tests.</summary>
    public string Dll { get; init; } = ServiceProcess.BuiltDll;

    /// <summary>Extra environment variables of the process.</summary>
    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// The built service as a real OS process (<c>dotnet TradeStat.Api.dll --urls http://127.0.0.1:port</c>), started
/// the way a user would, from a fresh working directory that has nothing to do with the build output, with its
/// stdout and stderr captured line by line.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private const int StartAttempts = 3;

    private readonly Process _process;
    private readonly DirectoryInfo _workingDirectory;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    private ServiceProcess(Process process, Uri baseAddress, DirectoryInfo workingDirectory)
    {
        _process = process;
        BaseAddress = baseAddress;
        _workingDirectory = workingDirectory;
    }

    /// <summary>The service as built beside the tests (it is referenced as a project).</summary>
    public static string BuiltDll => typeof(Program).Assembly.Location;

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
    public static Task<ServiceProcess> StartAsync(string environment = "Production", params string[] arguments) =>
        StartAsync(new ServiceLaunch { Environment = environment, Arguments = arguments });

    /// <summary>Starts the service as <paramref name="launch"/> says and waits until <c>/health/live</c> answers.</summary>
    public static async Task<ServiceProcess> StartAsync(ServiceLaunch launch)
    {
        // The free port is found by binding port 0 and releasing it, so another process may take it in between:
        // retry a bounded number of times when the service dies before it answers.
        var failures = new List<string>();
        for (var attempt = 1; attempt <= StartAttempts; attempt++)
        {
            var service = Launch(FreeLoopbackPort(), launch);
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

    /// <summary>
    /// Copies what <c>dotnet TradeStat.Api.dll</c> needs from the build output (the assemblies its deps.json lists, its
    /// runtime configuration and its appsettings files) into <paramref name="directory"/>, except the files named in
    /// <paramref name="without"/>; returns the copy's TradeStat.Api.dll.
    /// </summary>
    public static string CopyBuildOutput(string directory, params string[] without)
    {
        var source = Path.GetDirectoryName(BuiltDll)!;
        var name = Path.GetFileNameWithoutExtension(BuiltDll);
        using var deps = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(source, name + ".deps.json")));
        var assemblies = deps.RootElement.GetProperty("targets").EnumerateObject()
            .SelectMany(target => target.Value.EnumerateObject())
            .Where(library => library.Value.TryGetProperty("runtime", out _))
            .SelectMany(library => library.Value.GetProperty("runtime").EnumerateObject().Select(asset => Path.GetFileName(asset.Name)));
        var files = assemblies
            .Concat([name + ".deps.json", name + ".runtimeconfig.json"])
            .Concat(Directory.EnumerateFiles(source, "appsettings*.json").Select(Path.GetFileName).OfType<string>())
            .Except(without, StringComparer.Ordinal)
            .Distinct(StringComparer.Ordinal);
        foreach (var file in files.Where(f => File.Exists(Path.Combine(source, f))))
        {
            File.Copy(Path.Combine(source, file), Path.Combine(directory, file));
        }

        return Path.Combine(directory, Path.GetFileName(BuiltDll));
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

    /// <summary>Polls <paramref name="condition"/>; stops early, and fails, if the service exits.</summary>
    public async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        await Eventually.UntilAsync(async () => HasExited || await condition(), timeout, what, Describe);
        HasExited.Should().BeFalse($"the service stopped while waiting for: {what}; {Describe()}");
    }

    /// <summary>Kills the process at once (SIGKILL on Linux): no shutdown code runs, as in a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        (await WaitForExitAsync(TimeSpan.FromSeconds(10))).Should().BeTrue("SIGKILL ends a process");
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

    /// <summary>Kills the process if it is still running and removes its working directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
        _workingDirectory.Delete(recursive: true);
    }

    private static ServiceProcess Launch(int port, ServiceLaunch launch)
    {
        var url = $"http://127.0.0.1:{port}";
        // Not the build output: the service must find its own files wherever it is started from.
        var workingDirectory = Directory.CreateTempSubdirectory("tradestat-cwd-");
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = workingDirectory.FullName,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])[launch.Dll, "--urls", url, .. launch.Arguments])
        {
            start.ArgumentList.Add(argument);
        }

        // Only what a user would set: nothing inherited from the test host may configure the service.
        var inherited = start.Environment.Keys
            .Where(k => k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
                || k.StartsWith("TradeStat__", StringComparison.OrdinalIgnoreCase)
                || k.StartsWith("Kestrel__", StringComparison.OrdinalIgnoreCase)
                || k.StartsWith("Serilog__", StringComparison.OrdinalIgnoreCase)
                || k.Equals("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase)
                || k.Equals("DOTNET_CONTENTROOT", StringComparison.OrdinalIgnoreCase))
            .ToList();
        foreach (var key in inherited)
        {
            start.Environment.Remove(key);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = launch.Environment;
        foreach (var (key, value) in launch.Variables)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var service = new ServiceProcess(process, new Uri(url + "/"), workingDirectory);
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
