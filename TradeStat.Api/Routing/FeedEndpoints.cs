using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.Extensions.Options;
using TradeStat.Api.Controllers;
using TradeStat.Domain.Feed;

namespace TradeStat.Api.Routing;

/// <summary>
/// Keeps <see cref="FeedController"/> out of the application unless <c>Binance:Enabled</c> is true, so that with the
/// feed off the service has no feed endpoints and every other path answers the same.
/// </summary>
public sealed class FeedEndpoints(IFeedService feed) : IConfigureOptions<MvcOptions>
{
    /// <inheritdoc />
    public void Configure(MvcOptions options) => options.Conventions.Add(new Convention(feed.IsEnabled));

    private sealed class Convention(bool enabled) : IApplicationModelConvention
    {
        public void Apply(ApplicationModel application)
        {
            if (!enabled)
            {
                foreach (var controller in application.Controllers.Where(c => c.ControllerType == typeof(FeedController)).ToArray())
                {
                    application.Controllers.Remove(controller);
                }
            }
        }
    }
}
