using Microsoft.AspNetCore.Routing;
using TradeStat.Api.Routing;

namespace TradeStat.Tests.Unit.Api.Routing;

[TestFixture]
[Category("Unit")]
public sealed class FeedSymbolRouteConstraintTests
{
    [TestCase("stats")]
    [TestCase("STATS")]
    [TestCase("envelope")]
    [TestCase("symbols")]
    [TestCase("health")]
    [TestCase("openapi")]
    [TestCase("dashboard")]
    [TestCase("Dashboard")]
    public void The_service_own_paths_are_never_feed_symbols(string segment)
    {
        Matches(segment).Should().BeFalse();
    }

    [TestCase("BTCUSDT")]
    [TestCase("btcusdt")]
    [TestCase("<IMG SRC=X>Ω")]
    [TestCase("dashboard.js")]
    public void Any_other_single_segment_is_a_feed_symbol(string segment)
    {
        Matches(segment).Should().BeTrue();
    }

    private static bool Matches(string segment) =>
        new FeedSymbolRouteConstraint().Match(null, null, "symbol", new RouteValueDictionary { ["symbol"] = segment }, RouteDirection.IncomingRequest);
}
