using FluentValidation;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Mvc;
using TradeStat.Api.ActionResults;
using TradeStat.Api.Diagnostics;
using TradeStat.Api.OpenApi;
using TradeStat.Api.Requests;
using TradeStat.Api.Responses;
using TradeStat.Api.Validation;
using TradeStat.Domain.Series;

namespace TradeStat.Api.Controllers;

/// <summary>The series endpoints: append a batch of prices, read window statistics.</summary>
[ApiController]
[Route("")]
public sealed class SeriesController(
    ISeriesService series,
    IValidator<AddBatchRequest> batchValidator,
    IValidator<StatsQuery> statsValidator,
    IValidator<EnvelopeQuery> envelopeValidator,
    ServiceMetrics metrics) : ControllerBase
{
    /// <summary>Appends up to <see cref="SeriesLimits.MaxBatchSize"/> prices (oldest first) to a symbol, atomically.</summary>
    /// <response code="200">The batch was added.</response>
    /// <response code="400">The body or a value is invalid; nothing was added.</response>
    /// <response code="408">The body did not arrive within TradeStat:RequestTimeoutSeconds; nothing was added.</response>
    /// <response code="409">The symbol is new and the symbol limit is reached.</response>
    /// <response code="413">The body is larger than the configured limit.</response>
    /// <response code="415">The body is not <c>application/json</c>.</response>
    [HttpPost("add_batch")]
    [Consumes("application/json")]
    [RequestTimeout(ApiOptions.UploadTimeoutPolicy)]
    [ProducesResponseType<AddBatchResponse>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status413PayloadTooLarge, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status415UnsupportedMediaType, "application/problem+json")]
    public IActionResult AddBatch([FromBody] AddBatchRequest request)
    {
        var validation = batchValidator.Validate(request);
        if (!validation.IsValid)
        {
            return ValidationProblem(validation.AddTo(ModelState));
        }

        var added = series.AddBatch(request.Symbol!, request.Values);
        metrics.Ingested(added.Added);
        return Ok(new AddBatchResponse(added.Symbol, added.Added, added.Count));
    }

    /// <summary>min, max, last, avg and population variance over the last 10^k points of a symbol.</summary>
    /// <remarks>
    /// <c>symbol</c> and <c>k</c> are read from the query string as text (<see cref="StatsQuery.From"/>), not bound:
    /// model binding (value providers, binding contexts, model state) cost more of this request's CPU than the engine,
    /// the validation and the answer together. The validator gets the same query either way.
    /// </remarks>
    /// <response code="200">The statistics.</response>
    /// <response code="400">symbol or k is missing, invalid or repeated.</response>
    /// <response code="404">The symbol has no data.</response>
    [HttpGet("stats")]
    [QueryParameter("symbol", "The symbol: 1–{0} characters from A–Z a–z 0–9 . _ - : /", SeriesLimits.MaxSymbolLength)]
    [QueryParameter("k", "An integer from {0} to {1}: the statistics cover the last 10^k points.", SeriesLimits.MinK, SeriesLimits.MaxK)]
    [ProducesResponseType<StatsResponse>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public IActionResult GetStats()
    {
        var query = StatsQuery.From(Request.Query);
        var validation = statsValidator.Validate(query);
        if (!validation.IsValid)
        {
            return ValidationProblem(validation.AddTo(ModelState));
        }

        var level = query.Level!.Value; // valid: the validator passed
        var symbol = query.Symbol!;
        var s = series.GetStats(symbol, level);
        return new StatsJsonResult(new StatsResponse(symbol, level.K, s.Count, s.Min, s.Max, s.Last, s.Avg, s.Var));
    }

    /// <summary>
    /// The min/max envelope of the last 10^k points of a symbol in at most <c>buckets</c> consecutive parts (one per
    /// pixel column of a chart), computed from the summaries the engine keeps: the cost grows with the buckets, not
    /// with the points.
    /// </summary>
    /// <remarks>
    /// There are min(buckets, count) buckets; bucket i covers the points from <c>start + ⌊i·count/buckets⌋</c> up to the
    /// next bucket's first point, so a window of at most <c>buckets</c> points comes back point by point (min = max).
    /// </remarks>
    /// <response code="200">The envelope.</response>
    /// <response code="400">symbol, k or buckets is missing, invalid or repeated.</response>
    /// <response code="404">The symbol has no data.</response>
    [HttpGet("envelope")]
    [QueryParameter("symbol", "The symbol: 1–{0} characters from A–Z a–z 0–9 . _ - : /", SeriesLimits.MaxSymbolLength)]
    [QueryParameter("k", "An integer from {0} to {1}: the envelope covers the last 10^k points.", SeriesLimits.MinK, SeriesLimits.MaxK)]
    [QueryParameter("buckets", "An integer from 1 to {0}: how many parts the window is cut into.", SeriesLimits.MaxEnvelopeBuckets)]
    [ProducesResponseType<EnvelopeResponse>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public IActionResult GetEnvelope()
    {
        var query = EnvelopeQuery.From(Request.Query);
        var validation = envelopeValidator.Validate(query);
        if (!validation.IsValid)
        {
            return ValidationProblem(validation.AddTo(ModelState));
        }

        var level = query.Level!.Value; // valid: the validator passed
        var e = series.GetEnvelope(query.Symbol!, level, query.BucketCount!.Value);
        return Ok(new EnvelopeResponse(query.Symbol!, level.K, e.Count, e.Start, e.Buckets, e.Min, e.Max));
    }
}
