using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;
using TradeStat.Api.ActionResults;
using TradeStat.Api.Responses;
using TradeStat.Api.Routing;
using TradeStat.Domain.Feed;

namespace TradeStat.Api.Controllers;

/// <summary>The live feed's statistics: the symbol universe and each symbol's count, infinite median and last price.</summary>
/// <remarks>Present only when <c>Binance:Enabled</c> is true (see <see cref="FeedEndpoints"/>).</remarks>
[ApiController]
[Route("")]
public sealed class FeedController(IFeedService feed) : ControllerBase
{
    /// <summary>The symbols the feed follows: every symbol that can trade (any exchange status but BREAK), sorted.</summary>
    /// <response code="200">The symbols.</response>
    [HttpGet("symbols")]
    [ProducesResponseType<string[]>(StatusCodes.Status200OK, "application/json")]
    public IActionResult GetSymbols() => new SymbolsJsonResult(feed.Symbols);

    /// <summary>
    /// Trades counted, exact infinite median and last price of a symbol (case-insensitive); <c>missed</c> counts trades of gaps
    /// the exchange could not serve (refused, too large, or answered without them for <c>Binance:BackfillGiveUpAfter</c>), <c>filling</c> is true while a gap is being back-filled.
    /// </summary>
    /// <param name="symbol">A listed symbol, e.g. BTCUSDT.</param>
    /// <response code="200">The statistics; median and last are null before the first trade.</response>
    /// <response code="404">The feed has never followed this symbol.</response>
    [HttpGet("{symbol:" + FeedSymbolRouteConstraint.Name + "}")]
    [ProducesResponseType<FeedResponse>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public IActionResult GetSymbol([Description("A listed symbol, e.g. BTCUSDT (case-insensitive).")] string symbol)
    {
        // A literal route with another method wins over {symbol} only in the method check, which runs before route
        // constraints: answer GET /add_batch/ as routing would without this action (405, Allow: POST).
        if (FeedSymbolRouteConstraint.IsPostOnlyPath(symbol))
        {
            Response.Headers.Allow = "POST";
            return StatusCode(StatusCodes.Status405MethodNotAllowed);
        }

        var snapshot = feed.Get(symbol);
        return snapshot is { } s
            ? new FeedJsonResult(s)
            : Problem(statusCode: StatusCodes.Status404NotFound, title: "Symbol not found",
                detail: "The feed has never followed this symbol. GET /symbols lists every symbol it follows.");
    }
}
