using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using FluentAssertions.Execution;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Integration.Service;

/// <summary>
/// The built service started the way users start it, from a working directory that is not its own: it finds its
/// shipped files, runs on the shipped settings even without appsettings.json, and a content root given explicitly wins.
/// </summary>
[TestFixture]
[Category("Integration")]
[Platform("Linux")]
[NonParallelizable]
public sealed class StartFromAnywhereTests
{
    // The shipped Kestrel:Limits:MaxRequestBodySize; Kestrel's own default is about 30 MB.
    private const int ShippedBodyLimit = 1_048_576;

    private static readonly TimeSpan OutputTimeout = TimeSpan.FromSeconds(15);

    [Test]
    public async Task From_an_unrelated_directory_it_uses_its_own_directory_and_the_shipped_settings()
    {
        await using var service = await ServiceProcess.StartAsync();
        using var client = service.CreateClient();

        await ShouldRunOnTheShippedSettingsAsync(service, client, Path.GetDirectoryName(ServiceProcess.BuiltDll)!);
    }

    [Test]
    public async Task Without_appsettings_json_it_runs_on_the_same_shipped_settings()
    {
        var build = Directory.CreateTempSubdirectory("tradestat-build-");
        try
        {
            var dll = ServiceProcess.CopyBuildOutput(build.FullName, "appsettings.json", "appsettings.Development.json");
            Directory.EnumerateFiles(build.FullName, "appsettings*.json").Should().BeEmpty();
            Directory.EnumerateFiles(build.FullName, "*.dll").Should().Contain(dll);

            await using var service = await ServiceProcess.StartAsync(new ServiceLaunch { Dll = dll });
            using var client = service.CreateClient();

            await ShouldRunOnTheShippedSettingsAsync(service, client, build.FullName);
        }
        finally
        {
            build.Delete(recursive: true);
        }
    }

    [Test]
    public async Task In_Development_from_an_unrelated_directory_its_appsettings_Development_json_applies()
    {
        // That file (beside the dll) asks for readable text logs instead of JSON.
        await using var service = await ServiceProcess.StartAsync("Development");

        var contentRoot = await WaitForLineAsync(service, line => line.Contains("Content root path:", StringComparison.Ordinal));

        contentRoot.Should().StartWith("[").And.Contain("Microsoft.Hosting.Lifetime: Content root path: " + Path.GetDirectoryName(ServiceProcess.BuiltDll));
        service.StandardOutput.Should().NotContain(line => IsJsonObject(line), "every line is text: " + service.Describe());
    }

    [TestCase("--contentRoot")]
    [TestCase("ASPNETCORE_CONTENTROOT")]
    [TestCase("DOTNET_CONTENTROOT")]
    public async Task A_content_root_given_explicitly_wins_with_its_appsettings_json(string how)
    {
        var root = Directory.CreateTempSubdirectory("tradestat-root-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(root.FullName, "appsettings.json"),
                """{ "TradeStat": { "LogFormat": "text" }, "Kestrel": { "Limits": { "MaxRequestBodySize": 1000 } } }""");
            var launch = how.StartsWith("--", StringComparison.Ordinal)
                ? new ServiceLaunch { Arguments = [how, root.FullName] }
                : new ServiceLaunch { Variables = new Dictionary<string, string> { [how] = root.FullName } };

            await using var service = await ServiceProcess.StartAsync(launch);
            using var client = service.CreateClient();

            var contentRoot = await WaitForLineAsync(service, line => line.Contains("Content root path:", StringComparison.Ordinal));
            contentRoot.TrimEnd('/').Should().EndWith("Content root path: " + root.FullName.TrimEnd('/'));
            service.StandardOutput.Should().NotContain(line => IsJsonObject(line), "that file asks for text logs: " + service.Describe());
            (await client.AddBatchAsync(TradeStatApi.UniqueSymbol(), Enumerable.Repeat(1.5, 100))).Should().Be(100, "about 470 bytes are under its limit");
            using var over = await client.SendAsync(BodyOf(1001));
            await over.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    /// <summary>
    /// JSON logs whose lifetime events name <paramref name="contentRoot"/>, the shipped body limit, and no log event for
    /// ordinary successful requests (a client error, which is logged, marks the end of what they could have written).
    /// </summary>
    private static async Task ShouldRunOnTheShippedSettingsAsync(ServiceProcess service, HttpClient client, string contentRoot)
    {
        // The last start-up event of Microsoft.Hosting.Lifetime (Information), which the shipped levels keep.
        var started = await WaitForLineAsync(service, line => line.Contains("\"ContentRoot\"", StringComparison.Ordinal));
        using (var startedEvent = JsonDocument.Parse(started))
        {
            startedEvent.RootElement.GetProperty("ContentRoot").GetString()!.TrimEnd('/').Should().Be(contentRoot.TrimEnd('/'));
        }

        var before = service.StandardOutput.Count;
        var errorsBefore = service.StandardError.Count;
        var symbol = TradeStatApi.UniqueSymbol();
        for (var i = 0; i < 5; i++)
        {
            (await client.AddBatchAsync(symbol, [1, 2, 3])).Should().Be(3 * (i + 1));
            (await client.StatsAsync(symbol, 2)).Count.Should().Be(3 * (i + 1));
        }

        using (var marker = await client.GetAsync($"/stats/?symbol={symbol}&k=9"))
        {
            marker.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        }

        await WaitForLineAsync(service, line => line.Contains("responded 400", StringComparison.Ordinal));
        using (var limit = await client.SendAsync(BodyOf(ShippedBodyLimit + 1)))
        {
            // Kestrel's own limit would let the body in, and the parser would answer 400.
            await limit.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        }

        var output = service.StandardOutput;
        var described = service.Describe();
        using var scope = new AssertionScope();
        output.Should().AllSatisfy(line => IsJsonObject(line).Should().BeTrue($"every stdout line is a JSON event: {line}"));
        // A long GC pause may be logged at any time; it is not an event of a request.
        output.Skip(before)
            .TakeWhile(line => !line.Contains("responded 400", StringComparison.Ordinal))
            .Where(line => !line.Contains("GcPauseMonitor", StringComparison.Ordinal))
            .Should().BeEmpty("successful requests write no log events; " + described);
        service.StandardError.Skip(errorsBefore).Should().BeEmpty(described);
    }

    /// <summary>The first stdout line that matches, waited for with a deadline.</summary>
    private static async Task<string> WaitForLineAsync(ServiceProcess service, Func<string, bool> match)
    {
        string? line = null;
        await Eventually.UntilAsync(() => (line = service.StandardOutput.FirstOrDefault(match)) is not null, OutputTimeout,
            "a matching stdout line");
        return line!;
    }

    /// <summary>A POST /add_batch/ of <paramref name="bytes"/> zero bytes that asks to continue: refused on its length alone.</summary>
    private static HttpRequestMessage BodyOf(int bytes)
    {
        var content = new ByteArrayContent(new byte[bytes]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/add_batch/") { Content = content };
        request.Headers.ExpectContinue = true;
        return request;
    }

    private static bool IsJsonObject(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
