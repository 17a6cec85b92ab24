using System.Text;
using Microsoft.Extensions.Logging;

namespace TradeStat.Infrastructure.Feed;

/// <summary>
/// Where the symbol universe comes from: the exchangeInfo REST endpoint, asked with every permission of
/// <c>Binance:ExchangeInfoPermissions</c> (without them Binance leaves out the symbols of other permissions), or a file.
/// </summary>
internal sealed class ExchangeInfoClient(HttpClient http, BinanceOptions options, ILogger<ExchangeInfoClient> logger)
{
    /// <summary>Fetches (or reads) exchangeInfo and returns the symbols the feed follows: every status but BREAK.</summary>
    public async Task<IReadOnlyList<string>> GetSymbolsAsync(CancellationToken cancellationToken) =>
        (await GetListingAsync(cancellationToken)).Tradable;

    /// <summary>
    /// Fetches (or reads) exchangeInfo: every symbol with its status. Logs once per call how many are listed, how many
    /// are tradable and how many BREAK symbols are left out.
    /// </summary>
    public async Task<ExchangeListing> GetListingAsync(CancellationToken cancellationToken)
    {
        byte[] body;
        if (!string.IsNullOrEmpty(options.ExchangeInfoFile))
        {
            body = await File.ReadAllBytesAsync(options.ExchangeInfoFile, cancellationToken);
        }
        else
        {
            // The request is bounded once the REST governor lets it go (RestWeightHandler); reading the body (a few MB)
            // here, with room for a slow link.
            using var response = await http.GetAsync(RequestUri(options), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.RequestTimeout * 6);
            body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
        }

        var listing = ExchangeInfoReader.ReadListing(body, logger);
        logger.LogInformation("exchangeInfo: {Listed} symbols listed, {Tradable} tradable, {LeftOut} left out (BREAK)",
            listing.Symbols.Count, listing.Tradable.Count, listing.LeftOut);
        return listing;
    }

    /// <summary>
    /// <c>/api/v3/exchangeInfo</c>, with <c>permissions=["SPOT","MARGIN",...]</c> URL-encoded when
    /// <see cref="BinanceOptions.ExchangeInfoPermissions"/> lists any.
    /// </summary>
    internal static Uri RequestUri(BinanceOptions options)
    {
        var path = "/api/v3/exchangeInfo";
        var permissions = options.ExchangeInfoPermissions.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (permissions.Length > 0)
        {
            // The permissions are [A-Z0-9_] (validated at start), so they need no escaping inside the JSON strings.
            var array = new StringBuilder("[");
            for (var i = 0; i < permissions.Length; i++)
            {
                array.Append(i > 0 ? ",\"" : "\"").Append(permissions[i]).Append('"');
            }

            path += "?permissions=" + Uri.EscapeDataString(array.Append(']').ToString());
        }

        return new Uri(options.RestBaseUrl, path);
    }
}
