using System.Buffers;
using System.Text;
using System.Text.Json;
using TradeStat.Domain.Feed;

namespace TradeStat.Api.Dashboard;

/// <summary>
/// Numbers as the API writes them, as text: the page shows these strings as they are, so what it shows is what
/// <c>/stats/</c> and <c>/{symbol}</c> answer, digit for digit (a browser's own number formatting differs in exponents).
/// </summary>
internal static class ApiText
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    /// <summary>The double as <c>GET /stats/</c> writes it (shortest round-trip, the JSON writer's own formatting).</summary>
    public static string Number(double value)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(64);
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteNumberValue(value);
        }

        return Encoding.ASCII.GetString(buffer.WrittenSpan);
    }

    /// <summary>A feed price as <c>GET /{symbol}</c> writes it: the exact decimal digits of the scaled integer.</summary>
    public static string? Price(long? halfUnits)
    {
        if (halfUnits is not { } value)
        {
            return null;
        }

        Span<byte> digits = stackalloc byte[40];
        var n = ScaledPrice.FormatHalfUnits(value, digits);
        return Encoding.ASCII.GetString(digits[..n]);
    }
}
