using Microsoft.Extensions.Options;
using TradeStat.Domain.Series;

namespace TradeStat.Api.Dashboard;

/// <summary>
/// The series view: one row per symbol held, with its point count and, for every k, the statistics <c>GET /stats/</c>
/// answers (numbers as the API writes them, as strings).
/// </summary>
public sealed class SeriesLiveView(ISeriesService series, IOptions<DashboardOptions> options, TimeProvider time, IHostApplicationLifetime lifetime)
    : LiveView(options, time, lifetime)
{
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

    protected override void Poll()
    {
        foreach (var (symbol, count) in series.Symbols())
        {
            // A series changes only by appends, and every append raises its count.
            if (_counts.TryGetValue(symbol, out var known) && known == count && HasRow(symbol))
            {
                KeepRow(symbol);
                continue;
            }

            _counts[symbol] = count;
            SetRow(symbol, Json(writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("symbol"u8, symbol);
                writer.WriteNumber("count"u8, count);
                writer.WriteStartArray("stats"u8);
                for (var k = SeriesLimits.MinK; k <= SeriesLimits.MaxK; k++)
                {
                    var s = series.GetStats(symbol, WindowLevel.Create(k));
                    writer.WriteStartObject();
                    writer.WriteNumber("k"u8, k);
                    writer.WriteNumber("count"u8, s.Count);
                    writer.WriteString("min"u8, ApiText.Number(s.Min));
                    writer.WriteString("max"u8, ApiText.Number(s.Max));
                    writer.WriteString("last"u8, ApiText.Number(s.Last));
                    writer.WriteString("avg"u8, ApiText.Number(s.Avg));
                    writer.WriteString("var"u8, ApiText.Number(s.Var));
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }));
        }
    }
}
