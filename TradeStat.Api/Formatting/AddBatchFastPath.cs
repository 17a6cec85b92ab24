using System.Text;
using TradeStat.Domain.Series;

namespace TradeStat.Api.Formatting;

/// <summary>
/// The common shape of an <c>add_batch</c> body, read in one pass over contiguous bytes:
/// <c>{"symbol": "&lt;plain ASCII&gt;", "values": [numbers]}</c> in either order, JSON whitespace anywhere.
/// Anything else — escapes, unknown or repeated members, a non-number value, bad syntax — returns false,
/// and the general <see cref="Utf8JsonReader"/>-based parser takes over (with its precise error messages),
/// so this path never decides that a body is wrong. O(body length), no allocation but the symbol string.
/// </summary>
internal static class AddBatchFastPath
{
    public static bool TryParse(ReadOnlySpan<byte> body, double[] buffer, out string? symbol, out bool hasValues, out int count)
    {
        symbol = null;
        hasValues = false;
        count = 0;
        var i = SkipWhitespace(body, 0);
        if (!At(body, i, (byte)'{'))
        {
            return false;
        }

        i = SkipWhitespace(body, i + 1);
        if (At(body, i, (byte)'}'))
        {
            return SkipWhitespace(body, i + 1) == body.Length;
        }

        while (true)
        {
            if (!TryReadPlainString(body, ref i, out var key))
            {
                return false;
            }

            i = SkipWhitespace(body, i);
            if (!At(body, i, (byte)':'))
            {
                return false;
            }

            i = SkipWhitespace(body, i + 1);
            if (key.SequenceEqual("symbol"u8) && symbol is null)
            {
                if (!TryReadPlainString(body, ref i, out var text) || text.Length > AddBatchRequestParser.MaxSymbolBytes)
                {
                    return false;
                }

                symbol = Encoding.ASCII.GetString(text);
            }
            else if (key.SequenceEqual("values"u8) && !hasValues)
            {
                if (!TryReadValues(body, ref i, buffer, out count))
                {
                    return false;
                }

                hasValues = true;
            }
            else
            {
                return false;
            }

            i = SkipWhitespace(body, i);
            if (At(body, i, (byte)','))
            {
                i = SkipWhitespace(body, i + 1);
                continue;
            }

            return At(body, i, (byte)'}') && SkipWhitespace(body, i + 1) == body.Length;
        }
    }

    private static bool TryReadValues(ReadOnlySpan<byte> body, ref int i, double[] buffer, out int count)
    {
        count = 0;
        if (!At(body, i, (byte)'['))
        {
            return false;
        }

        i = SkipWhitespace(body, i + 1);
        if (At(body, i, (byte)']'))
        {
            i++;
            return true;
        }

        while (true)
        {
            if (JsonNumber.TryRead(body[i..], out var value, out var length) != JsonNumber.Status.Ok)
            {
                return false;
            }

            // Keep counting past the limit so the validator can say how many were sent.
            if (count < SeriesLimits.MaxBatchSize)
            {
                buffer[count] = value;
            }

            count++;
            i = SkipWhitespace(body, i + length);
            if (At(body, i, (byte)','))
            {
                i = SkipWhitespace(body, i + 1);
                continue;
            }

            if (At(body, i, (byte)']'))
            {
                i++;
                return true;
            }

            return false;
        }
    }

    /// <summary>A string of printable ASCII without escapes; anything else is left to the general parser.</summary>
    private static bool TryReadPlainString(ReadOnlySpan<byte> body, ref int i, out ReadOnlySpan<byte> text)
    {
        text = default;
        if (!At(body, i, (byte)'"'))
        {
            return false;
        }

        var start = i + 1;
        var end = start;
        while (end < body.Length && body[end] != '"')
        {
            if (body[end] is < 0x20 or >= 0x7F or (byte)'\\')
            {
                return false;
            }

            end++;
        }

        if (end >= body.Length)
        {
            return false;
        }

        text = body[start..end];
        i = end + 1;
        return true;
    }

    private static bool At(ReadOnlySpan<byte> body, int i, byte expected) => i < body.Length && body[i] == expected;

    private static int SkipWhitespace(ReadOnlySpan<byte> body, int i)
    {
        while (i < body.Length && body[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            i++;
        }

        return i;
    }
}
