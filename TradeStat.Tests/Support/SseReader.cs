using System.Text.Json.Nodes;

namespace TradeStat.Tests.Support;

/// <summary>Reads a Server-Sent Events stream event by event (the <c>event:</c> and <c>data:</c> lines of each).</summary>
public sealed class SseReader : IDisposable
{
    private readonly StreamReader _reader;

    private SseReader(HttpResponseMessage response, Stream body)
    {
        Response = response;
        _reader = new StreamReader(body);
    }

    public HttpResponseMessage Response { get; }

    public static async Task<SseReader> OpenAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        return new SseReader(response, await response.Content.ReadAsStreamAsync());
    }

    /// <summary>The data of the next event of type <paramref name="type"/>, skipping others (heartbeats), within <paramref name="timeout"/>.</summary>
    public async Task<JsonNode> NextAsync(string type, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        string? eventType = null;
        var data = new List<string>();
        while (true)
        {
            var line = await _reader.ReadLineAsync(deadline.Token) ?? throw new EndOfStreamException($"The stream ended before a '{type}' event.");
            if (line.Length == 0)
            {
                if (eventType == type)
                {
                    return JsonNode.Parse(string.Join('\n', data))!;
                }

                (eventType, data) = (null, []);
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventType = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data.Add(line["data: ".Length..]);
            }
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        Response.Dispose();
    }
}
