using Microsoft.Extensions.Logging;

namespace TradeStat.Infrastructure.Feed;

/// <summary>Where the symbol universe comes from: the exchangeInfo REST endpoint, or a file.</summary>
internal sealed class ExchangeInfoClient(HttpClient http, BinanceOptions options, ILogger<ExchangeInfoClient> logger)
{
    /// <summary>Fetches (or reads) exchangeInfo and returns its symbols.</summary>
    public async Task<IReadOnlyList<string>> GetSymbolsAsync(CancellationToken cancellationToken)
    {
        byte[] body;
        if (!string.IsNullOrEmpty(options.ExchangeInfoFile))
        {
            body = await File.ReadAllBytesAsync(options.ExchangeInfoFile, cancellationToken);
        }
        else
        {
            using var response = await http.GetAsync(new Uri(options.RestBaseUrl, "/api/v3/exchangeInfo"), cancellationToken);
            response.EnsureSuccessStatusCode();
            body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        }

        return ExchangeInfoReader.ReadSymbols(body, logger);
    }
}
