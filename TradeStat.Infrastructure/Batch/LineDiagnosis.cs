using System.Text;

namespace TradeStat.Infrastructure.Batch;

/// <summary>Says in words why a line was rejected; runs only for invalid lines, never on the hot path.</summary>
internal static class LineDiagnosis
{
    private const int MaxShown = 40;

    /// <summary>The reason <paramref name="line"/> (without its '\n') is invalid after a trade at <paramref name="previousTimestamp"/>.</summary>
    public static string Explain(ReadOnlySpan<byte> line, long previousTimestamp)
    {
        if (line.Length > 0 && line[^1] == '\r')
        {
            line = line[..^1];
        }

        if (line.IsEmpty)
        {
            return "empty line (expected timestamp,symbol,quantity,price)";
        }

        var fields = line.Count((byte)',') + 1;
        if (fields != 4)
        {
            return $"expected 4 comma-separated fields (timestamp,symbol,quantity,price), found {fields}: '{Show(line)}'";
        }

        var rest = line;
        var timestampText = Next(ref rest);
        var symbol = Next(ref rest);
        var quantityText = Next(ref rest);
        var priceText = rest;

        if (Number("timestamp", timestampText, allowZero: true, out var timestamp) is { } timestampError)
        {
            return timestampError;
        }

        if (symbol.IsEmpty)
        {
            return "symbol is empty";
        }

        if (symbol.Length > SymbolTable.MaxLength)
        {
            return $"symbol is longer than {SymbolTable.MaxLength} bytes: '{Show(symbol)}'";
        }

        if (!SymbolTable.IsValid(symbol))
        {
            return $"symbol contains a control character: '{Show(symbol)}'";
        }

        if (Number("quantity", quantityText, allowZero: false, out _) is { } quantityError)
        {
            return quantityError;
        }

        if (Number("price", priceText, allowZero: false, out _) is { } priceError)
        {
            return priceError;
        }

        if (timestamp < previousTimestamp)
        {
            return $"timestamp {timestamp} is before the previous trade's {previousTimestamp} (timestamps must not decrease)";
        }

        return $"malformed line: '{Show(line)}'";
    }

    private static ReadOnlySpan<byte> Next(ref ReadOnlySpan<byte> rest)
    {
        var comma = rest.IndexOf((byte)',');
        var field = rest[..comma];
        rest = rest[(comma + 1)..];
        return field;
    }

    private static string? Number(string name, ReadOnlySpan<byte> text, bool allowZero, out long value)
    {
        value = 0;
        if (text.IsEmpty)
        {
            return $"{name} is empty";
        }

        var negative = text[0] == '-';
        var digits = negative ? text[1..] : text;
        if (digits.IsEmpty || digits.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
        {
            return $"{name} '{Show(text)}' is not a whole number (digits only)";
        }

        var trimmed = digits.TrimStart((byte)'0');
        if (trimmed.Length > 19 || (trimmed.Length == 19 && trimmed.SequenceCompareTo("9223372036854775807"u8) > 0))
        {
            return $"{name} '{Show(text)}' is larger than {long.MaxValue}";
        }

        foreach (var d in trimmed)
        {
            value = value * 10 + (d - '0');
        }

        if (digits.Length > 19)
        {
            return $"{name} '{Show(text)}' has more than 19 digits";
        }

        if (negative && value != 0)
        {
            return allowZero ? $"{name} must not be negative, got {Show(text)}" : $"{name} must be positive, got {Show(text)}";
        }

        if (negative)
        {
            return $"{name} '{Show(text)}' is not a whole number (digits only)";
        }

        if (!allowZero && value == 0)
        {
            return $"{name} must be positive, got {Show(text)}";
        }

        return null;
    }

    private static string Show(ReadOnlySpan<byte> text)
    {
        var shown = text.Length > MaxShown ? text[..MaxShown] : text;
        var builder = new StringBuilder(shown.Length + 3);
        foreach (var b in shown)
        {
            builder.Append(b is >= 0x20 and < 0x7F ? (char)b : '?');
        }

        return text.Length > MaxShown ? builder.Append("...").ToString() : builder.ToString();
    }
}
