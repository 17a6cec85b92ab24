using Microsoft.AspNetCore.Mvc.ApplicationParts;

namespace TradeStat.Ceiling;

/// <summary>Plain Kestrel with no TradeStat code: the ceiling the service is compared against.</summary>
/// <remarks>
/// <c>GET /raw</c> is the transport ceiling (a middleware writing fixed bytes); <c>GET /mvc/stats</c> and
/// <c>POST /mvc/discard</c> are the MVC ceilings (routing, model binding, JSON output, body read) without the engine.
/// </remarks>
public static class CeilingApp
{
    /// <summary>A stats-shaped answer (~100 bytes), encoded once so the raw path only copies bytes.</summary>
    private static readonly byte[] RawAnswer =
        """{"symbol":"SYM0","k":3,"count":1000,"min":1.5,"max":99.25,"last":42.125,"avg":50.0625,"var":833.3}"""u8.ToArray();

    /// <summary>Same request body limit as TradeStat's default, so both read at most 1 MiB per request.</summary>
    private const long MaxRequestBodySize = 1L << 20;

    public static async Task RunAsync(string[] args) => await Build(args).RunAsync();

    /// <summary>The ceiling app, ready to run; <paramref name="configure"/> may replace the server (in-memory benchmarks).</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        configure?.Invoke(builder);

        // Logging costs per request; the load script checks readiness over HTTP instead of reading the console.
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaxRequestBodySize);

        // The in-memory pipeline benchmark hosts this app in a process that references TradeStat.Api, where default
        // discovery would also register SeriesController. Only this assembly's controllers (the ceiling's) are wanted.
        builder.Services.AddControllers()
            .ConfigureApplicationPartManager(parts =>
            {
                parts.ApplicationParts.Clear();
                parts.ApplicationParts.Add(new AssemblyPart(typeof(CeilingController).Assembly));
            })
            .AddJsonOptions(options => options.JsonSerializerOptions.TypeInfoResolverChain.Insert(0, CeilingJsonContext.Default));

        var app = builder.Build();

        // Ahead of routing: /raw measures Kestrel and the socket, not the endpoint machinery.
        app.Use(next => context => IsRawRequest(context.Request) ? WriteRawAnswerAsync(context.Response) : next(context));
        app.UseRouting();
        app.MapControllers();
        return app;
    }

    private static bool IsRawRequest(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && request.Path.Equals("/raw", StringComparison.Ordinal);

    private static Task WriteRawAnswerAsync(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.ContentLength = RawAnswer.Length;
        return response.Body.WriteAsync(RawAnswer).AsTask();
    }
}
