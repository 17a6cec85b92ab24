using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using TradeStat.Domain.Series;

namespace TradeStat.Api.Errors;

/// <summary>
/// The one place where exceptions become RFC 9457 problem details: domain errors map to their status and are
/// worded here for HTTP clients from the facts they carry, Kestrel's request errors (body too large, client timeout)
/// keep theirs, anything else is a 500 that reveals nothing about the server.
/// </summary>
public sealed class ProblemDetailsExceptionHandler(
    IProblemDetailsService problemDetails,
    ILogger<ProblemDetailsExceptionHandler> logger) : IExceptionHandler
{
    /// <inheritdoc />
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception switch
        {
            SymbolNotFoundException e => (StatusCodes.Status404NotFound, "Symbol not found", NotFoundDetail(e)),
            SymbolLimitReachedException e => (StatusCodes.Status409Conflict, "Symbol limit reached", LimitReachedDetail(e)),
            BadHttpRequestException e => (e.StatusCode, TitleFor(e.StatusCode), DetailFor(e.StatusCode)),
            OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested =>
                (499, "Client closed request", "The client closed the connection."),
            _ => (StatusCodes.Status500InternalServerError, "Internal server error", "An unexpected error occurred."),
        };

        if (status >= 500)
        {
            logger.LogError(exception, "Unhandled exception for {Method} {Path} (request {RequestId})", httpContext.Request.Method, httpContext.Request.Path, httpContext.TraceIdentifier);
        }

        if (httpContext.Response.HasStarted)
        {
            return false;
        }

        httpContext.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (!await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem }))
        {
            // The client's Accept header excludes JSON: the error contract still answers in problem+json.
            problem.Instance = $"{httpContext.Request.Method} {httpContext.Request.Path}";
            await Results.Problem(problem).ExecuteAsync(httpContext);
        }

        return true;
    }

    private static string NotFoundDetail(SymbolNotFoundException e) =>
        $"Symbol '{e.Symbol}' has no data. Add values with POST /add_batch/ first.";

    private static string LimitReachedDetail(SymbolLimitReachedException e) =>
        $"Symbol '{e.Symbol}' is new, but the service already holds its limit of {e.MaxSymbols} symbols.";

    private static string TitleFor(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => "Request body too large",
        StatusCodes.Status408RequestTimeout => "Request timeout",
        _ => "Bad request",
    };

    private static string DetailFor(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => "The request body exceeds the configured limit (Kestrel:Limits:MaxRequestBodySize).",
        StatusCodes.Status408RequestTimeout => "The request body did not arrive in time.",
        _ => "The request could not be read.",
    };
}
