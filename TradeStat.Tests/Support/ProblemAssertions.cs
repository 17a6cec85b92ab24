using System.Net;
using System.Text.Json;
using FluentAssertions.Execution;

namespace TradeStat.Tests.Support;

/// <summary>The contract every error response keeps: RFC 9457 problem details that reveal nothing about the server.</summary>
public static class ProblemAssertions
{
    /// <summary>Marks of a stack trace or a .NET type name; none may reach a client.</summary>
    public static readonly string[] LeakMarkers = ["System.", "Exception", "   at ", "TradeStat."];

    /// <summary>
    /// Asserts that <paramref name="response"/> has <paramref name="status"/>, Content-Type
    /// <c>application/problem+json</c>, a matching <c>status</c> member and a <c>title</c>; returns the body.
    /// </summary>
    public static async Task<JsonElement> ShouldBeProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        using (new AssertionScope($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery} → {body}"))
        {
            response.StatusCode.Should().Be(status);
            response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
            body.Should().NotContainAny(LeakMarkers);
        }

        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        root.ValueKind.Should().Be(JsonValueKind.Object, body);
        root.TryGetProperty("status", out var statusMember).Should().BeTrue(body);
        statusMember.GetInt32().Should().Be((int)status, body);
        root.TryGetProperty("title", out var title).Should().BeTrue(body);
        title.GetString().Should().NotBeNullOrWhiteSpace(body);
        return root.Clone();
    }
}
