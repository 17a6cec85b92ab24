using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using TradeStat.Api.Dashboard;

namespace TradeStat.Api.Controllers;

/// <summary>
/// The dashboard's live streams (Server-Sent Events): each view's whole table once, then its changes at most once per
/// <c>Dashboard:UpdateIntervalMilliseconds</c>. Read-only; for the page at <c>/</c>, not part of the API.
/// </summary>
[ApiController]
[Route("dashboard/events")]
[ApiExplorerSettings(IgnoreApi = true)]
[LongLived]
public sealed class DashboardController(SeriesLiveView seriesView, FeedLiveView feedView, IOptions<DashboardOptions> options) : ControllerBase
{
    /// <summary>Every symbol held, its point count and its statistics for every k.</summary>
    [HttpGet("series")]
    public IResult Series() => Stream(seriesView);

    /// <summary>Every symbol the feed follows, as <c>GET /{symbol}</c> answers it, and the feed's health.</summary>
    [HttpGet("feed")]
    public IResult Feed() => Stream(feedView);

    private IResult Stream(LiveView view)
    {
        if (!options.Value.Enabled)
        {
            return Results.NotFound();
        }

        DashboardFiles.AddSecurityHeaders(Response.Headers);
        return TypedResults.ServerSentEvents(view.Watch(HttpContext.RequestAborted));
    }
}
