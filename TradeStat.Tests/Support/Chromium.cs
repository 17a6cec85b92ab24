using Microsoft.Playwright;

namespace TradeStat.Tests.Support;

/// <summary>
/// The system's Chromium driven by Playwright (no browser download): <c>TRADESTAT_CHROMIUM</c> if set, else Debian's
/// <c>/usr/bin/chromium</c> or <c>/usr/bin/chromium-browser</c>. Without one, browser tests are ignored with the reason.
/// </summary>
public static class Chromium
{
    /// <summary>Where Chromium was found; null when it is not installed.</summary>
    public static string? ExecutablePath { get; } = new[]
        {
            Environment.GetEnvironmentVariable("TRADESTAT_CHROMIUM"),
            "/usr/bin/chromium",
            "/usr/bin/chromium-browser",
        }
        .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));

    /// <summary>Starts Playwright and a headless Chromium, or ignores the calling test when there is no Chromium.</summary>
    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (ExecutablePath is null)
        {
            Assert.Ignore("No Chromium found (/usr/bin/chromium, /usr/bin/chromium-browser or TRADESTAT_CHROMIUM): install it with "
                + "'apt-get install chromium' to run the browser tests.");
        }

        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Timeout = 60_000,
            });
            return (playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }
}

/// <summary>
/// A browser page that records what a user would not see: console errors, uncaught script errors, failed
/// requests and every request that leaves <see cref="Origin"/> (other hosts, CDNs).
/// </summary>
public sealed class WatchedPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly List<string> _errors = [];
    private readonly List<string> _foreign = [];

    private WatchedPage(IBrowserContext context, IPage page, Uri origin)
    {
        _context = context;
        Page = page;
        Origin = origin;
    }

    public IPage Page { get; }

    public Uri Origin { get; }

    /// <summary>Console errors, uncaught exceptions and dialogs (alert, confirm) so far.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    /// <summary>Requests to anywhere but <see cref="Origin"/> so far.</summary>
    public IReadOnlyList<string> ForeignRequests
    {
        get
        {
            lock (_foreign)
            {
                return [.. _foreign];
            }
        }
    }

    /// <summary>Opens a page on <paramref name="origin"/> with a viewport of <paramref name="viewportWidth"/> by <paramref name="viewportHeight"/> CSS pixels.</summary>
    public static async Task<WatchedPage> OpenAsync(IBrowser browser, Uri origin, int viewportWidth = 1280, int viewportHeight = 900)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = origin.ToString(),
            ViewportSize = new ViewportSize { Width = viewportWidth, Height = viewportHeight },
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        var watched = new WatchedPage(context, page, origin);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (watched._errors)
                {
                    watched._errors.Add($"console: {message.Text}");
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (watched._errors)
            {
                watched._errors.Add($"uncaught: {error}");
            }
        };
        page.Dialog += async (_, dialog) =>
        {
            lock (watched._errors)
            {
                watched._errors.Add($"dialog: {dialog.Message}");
            }

            await dialog.DismissAsync();
        };
        page.Request += (_, request) =>
        {
            var url = new Uri(request.Url);
            if (url.Scheme is "http" or "https" or "ws" or "wss"
                && (url.Host != origin.Host || url.Port != origin.Port))
            {
                lock (watched._foreign)
                {
                    watched._foreign.Add(request.Url);
                }
            }
        };
        return watched;
    }

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}
