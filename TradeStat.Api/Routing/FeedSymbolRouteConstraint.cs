namespace TradeStat.Api.Routing;

/// <summary>
/// <c>{symbol:feedSymbol}</c>: a single segment that is not one of the service's own paths, so <c>/add_batch</c>,
/// <c>/stats</c>, <c>/symbols</c>, health and OpenAPI keep their answers (405s included).
/// </summary>
public sealed class FeedSymbolRouteConstraint : IRouteConstraint
{
    /// <summary>The constraint's name in route templates.</summary>
    public const string Name = "feedSymbol";

    /// <summary>The longest symbol the feed's paths accept, in characters.</summary>
    public const int MaxLength = 64;

    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase) { "stats", "envelope", "symbols", "health", "openapi", "dashboard" };

    /// <summary>True for <c>add_batch</c>, a POST-only path that GET must answer with 405.</summary>
    public static bool IsPostOnlyPath(string segment) => string.Equals(segment, "add_batch", StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) =>
        values.TryGetValue(routeKey, out var value) && value is string s && s.Length is > 0 and <= MaxLength && !Reserved.Contains(s);
}
