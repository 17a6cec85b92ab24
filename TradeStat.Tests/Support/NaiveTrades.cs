using System.Globalization;
using System.Numerics;
using System.Text;

namespace TradeStat.Tests.Support;

/// <summary>
/// The naive twin of the batch analysis: the input as text, split with string.Split, sums in BigInteger, one
/// sequential pass. Returns the expected output, or the first invalid line; with skipInvalid, skips them.
/// </summary>
public static class NaiveTrades
{
    public sealed record Result(string Output, long Lines, long Invalid, long? ErrorLine, long? FirstInvalidLine);

    public static Result Analyze(string input, bool skipInvalid = false)
    {
        var symbols = new SortedDictionary<string, State>(StringComparer.Ordinal);
        var lines = input.Split('\n');
        var count = lines.Length;
        if (count > 0 && lines[^1].Length == 0)
        {
            count--; // the text after the last '\n' is a line only when not empty
        }

        long invalid = 0;
        long? firstInvalid = null;
        long previous = 0;
        for (var i = 0; i < count; i++)
        {
            var line = lines[i].EndsWith('\r') ? lines[i][..^1] : lines[i];
            if (!TryParse(line, previous, out var timestamp, out var symbol, out var quantity, out var price))
            {
                if (!skipInvalid)
                {
                    return new Result("", i + 1, 0, i + 1, i + 1);
                }

                invalid++;
                firstInvalid ??= i + 1;
                continue;
            }

            previous = timestamp;
            if (!symbols.TryGetValue(symbol, out var state))
            {
                symbols[symbol] = state = new State { Last = timestamp };
            }

            state.MaxGap = Math.Max(state.MaxGap, timestamp - state.Last);
            state.Last = timestamp;
            state.Volume += quantity;
            state.Notional += (BigInteger)quantity * price;
            state.MaxPrice = Math.Max(state.MaxPrice, price);
        }

        var output = new StringBuilder();
        foreach (var (symbol, s) in symbols)
        {
            output.Append(CultureInfo.InvariantCulture, $"{symbol},{s.MaxGap},{s.Volume},{s.Notional / s.Volume},{s.MaxPrice}\n");
        }

        return new Result(output.ToString(), count, invalid, null, firstInvalid);
    }

    private static bool TryParse(string line, long previous, out long timestamp, out string symbol, out long quantity, out long price)
    {
        timestamp = quantity = price = 0;
        symbol = "";
        var parts = line.Split(',');
        if (parts.Length != 4 || !Digits(parts[0], out timestamp) || !Digits(parts[2], out quantity) || !Digits(parts[3], out price))
        {
            return false;
        }

        symbol = parts[1];
        var symbolOk = symbol.Length is >= 1 and <= 32 && symbol.All(c => c >= 0x20 && c != 0x7F);
        return symbolOk && quantity > 0 && price > 0 && timestamp >= previous;
    }

    private static bool Digits(string text, out long value)
    {
        value = 0;
        return text.Length is >= 1 and <= 19 && text.All(char.IsAsciiDigit)
            && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private sealed class State
    {
        public long Last;
        public long MaxGap;
        public BigInteger Volume;
        public BigInteger Notional;
        public long MaxPrice;
    }
}
