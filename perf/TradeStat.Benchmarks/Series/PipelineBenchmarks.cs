using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.TestHost;
using TradeStat.Api;
using TradeStat.Ceiling;

namespace TradeStat.Benchmarks.Series;

/// <summary>
/// One <c>GET /stats/</c> through a whole application in memory (TestServer: no sockets, no other process), so
/// that the application's own cost per request is measured without the noise of a load generator sharing the two
/// cores: TradeStat as shipped (and with request logging or metrics off, to price them) against the ceiling's
/// hello-world MVC action. The TestServer's own share is the same in every case.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessConfig))]
public class PipelineBenchmarks
{
    private const string Symbol = "SYM0";
    private WebApplication _app = null!;
    private TestServer _server = null!;
    private string _path = "";

    [Params("tradestat", "tradestat, no request logging", "tradestat, no metrics", "hello-mvc")]
    public string App { get; set; } = "";

    [GlobalSetup]
    public void Start()
    {
        if (App == "hello-mvc")
        {
            _app = CeilingApp.Build([], builder => builder.WebHost.UseTestServer());
            _path = "/mvc/stats";
        }
        else
        {
            // The service's own appsettings.json (it is copied beside this benchmark), Production, JSON logs.
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
            builder.WebHost.UseTestServer();
            builder.Configuration["TradeStat:RequestLogging"] = App.Contains("no request logging", StringComparison.Ordinal) ? "false" : "true";
            builder.Configuration["TradeStat:Metrics"] = App.Contains("no metrics", StringComparison.Ordinal) ? "false" : "true";
            builder.AddTradeStat();
            _app = builder.Build();
            _app.UseApi();
            _path = "/stats/";
        }

        _app.StartAsync().GetAwaiter().GetResult();
        _server = _app.GetTestServer();
        if (App != "hello-mvc")
        {
            var values = SeriesBody(10_000);
            for (var i = 0; i < 20; i++)
            {
                var context = _server.SendAsync(c =>
                {
                    c.Request.Method = "POST";
                    c.Request.Path = "/add_batch/";
                    c.Request.ContentType = "application/json";
                    c.Request.Body = new MemoryStream(values);
                }).GetAwaiter().GetResult();
                if (context.Response.StatusCode != 200)
                {
                    throw new InvalidOperationException($"add_batch answered {context.Response.StatusCode}");
                }
            }
        }

        if (Stats() != 200)
        {
            throw new InvalidOperationException($"{App}: GET {_path} did not answer 200");
        }
    }

    [GlobalCleanup]
    public void Stop() => _app.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Description = "GET stats in memory")]
    public int Stats()
    {
        var context = _server.SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Path = _path;
            c.Request.QueryString = new QueryString("?symbol=" + Symbol + "&k=3");
        }).GetAwaiter().GetResult();
        return context.Response.StatusCode;
    }

    private static byte[] SeriesBody(int count)
    {
        var random = new Random(1);
        var text = new System.Text.StringBuilder("{\"symbol\":\"" + Symbol + "\",\"values\":[");
        for (var i = 0; i < count; i++)
        {
            text.Append(i == 0 ? "" : ",").Append((100 + random.NextDouble()).ToString("F4", System.Globalization.CultureInfo.InvariantCulture));
        }

        return System.Text.Encoding.UTF8.GetBytes(text.Append("]}").ToString());
    }
}
