using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.FileProviders.Physical;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace TradeStat.Api.Dashboard;

/// <summary>
/// The dashboard's page and files: <c>/</c> is its page, <c>/dashboard/…</c> its scripts, styles and vendored
/// libraries, read from <c>wwwroot/dashboard</c> (nothing is ever written), each answer with a strict
/// Content-Security-Policy.
/// </summary>
public static class DashboardFiles
{
    /// <summary>Where the dashboard's files are served from.</summary>
    public const string RequestPath = "/dashboard";

    /// <summary>
    /// Only this origin's scripts, styles, images and connections; no inline script or style, no plug-ins, no framing,
    /// no forms, no base URL changes.
    /// </summary>
    public const string ContentSecurityPolicy = "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'";

    private const string Page = RequestPath + "/index.html";

    /// <summary>Serves the dashboard when <c>Dashboard:Enabled</c> (the default) and its files are present.</summary>
    public static WebApplication UseDashboard(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<DashboardOptions>>().Value.Enabled)
        {
            return app;
        }

        var root = FindRoot(app.Environment);
        if (root is null)
        {
            app.Logger.LogWarning("The dashboard's files (wwwroot/dashboard) are missing: / answers 404");
            return app;
        }

        var files = new PhysicalFileProvider(root, ExclusionFilters.Sensitive);
        app.Lifetime.ApplicationStopped.Register(files.Dispose);

        // "/" is the page; routing found no endpoint for it, so the file middleware below answers the rewritten path.
        app.Use((context, next) =>
        {
            var request = context.Request;
            if ((HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
                && (request.Path.Value is "/" || request.Path.Equals(RequestPath, StringComparison.OrdinalIgnoreCase)
                    || request.Path.Equals(RequestPath + "/", StringComparison.OrdinalIgnoreCase)))
            {
                request.Path = Page;
            }

            return next(context);
        });
        app.UseStaticFiles(new StaticFileOptions
        {
            RequestPath = RequestPath,
            FileProvider = files,
            OnPrepareResponse = file => AddSecurityHeaders(file.Context.Response.Headers),
        });
        return app;
    }

    /// <summary>The headers every dashboard answer carries.</summary>
    public static void AddSecurityHeaders(IHeaderDictionary headers)
    {
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";

        // Revalidated on every load (a cheap 304 by ETag), so that a new version of the service is never shown with old files.
        headers.CacheControl = "no-cache";
    }

    /// <summary>
    /// <c>wwwroot/dashboard</c> under the web root, else beside the service's assembly: the page stays when the
    /// content root is named elsewhere for other files (appsettings).
    /// </summary>
    private static string? FindRoot(IWebHostEnvironment environment)
    {
        string?[] candidates =
        [
            environment.WebRootPath is { Length: > 0 } web ? Path.Combine(web, "dashboard") : null,
            Path.Combine(environment.ContentRootPath, "wwwroot", "dashboard"),
            Path.Combine(AppContext.BaseDirectory, "wwwroot", "dashboard"),
        ];
        return candidates.FirstOrDefault(c => c is not null && File.Exists(Path.Combine(c, "index.html")));
    }
}
