using System.Globalization;

namespace TradeStat.Api.OpenApi;

/// <summary>
/// A query parameter that an action reads from <c>Request.Query</c> itself instead of through model binding, declared
/// so that the OpenAPI document still lists it (as a required string).
/// </summary>
/// <param name="name">The parameter's name in the query string.</param>
/// <param name="description">What it is, for the OpenAPI document: a composite format string whose placeholders take
/// <paramref name="limits"/>, so that a limit is written where it is defined and nowhere else.</param>
/// <param name="limits">The constants the description quotes.</param>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class QueryParameterAttribute(string name, string description, params object[] limits) : Attribute
{
    public string Name { get; } = name;

    public string Description { get; } = string.Format(CultureInfo.InvariantCulture, description, limits);
}
