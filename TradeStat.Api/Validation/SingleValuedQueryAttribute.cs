using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.Infrastructure;

namespace TradeStat.Api.Validation;

/// <summary>
/// Refuses a request that repeats any of the named query parameters (<c>?k=1&amp;k=2</c>): model binding would
/// silently take the first value, and the client would get an answer to a question it did not ask.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SingleValuedQueryAttribute(params string[] names) : ActionFilterAttribute
{
    /// <inheritdoc />
    public override void OnActionExecuting(ActionExecutingContext context)
    {
        var query = context.HttpContext.Request.Query;
        foreach (var name in names)
        {
            if (query[name].Count > 1)
            {
                context.ModelState.AddModelError(name, $"\"{name}\" must be given once.");
            }
        }

        if (!context.ModelState.IsValid)
        {
            var factory = context.HttpContext.RequestServices.GetRequiredService<ProblemDetailsFactory>();
            var problem = factory.CreateValidationProblemDetails(context.HttpContext, context.ModelState);
            context.Result = new BadRequestObjectResult(problem) { ContentTypes = { "application/problem+json" } };
        }
    }
}
