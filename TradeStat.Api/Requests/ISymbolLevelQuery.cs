using TradeStat.Domain.Series;

namespace TradeStat.Api.Requests;

/// <summary>A query naming a symbol and a window level k, as <c>/stats/</c> and <c>/envelope/</c> take them.</summary>
public interface ISymbolLevelQuery
{
    /// <summary>The symbol.</summary>
    string? Symbol { get; }

    /// <summary>k as a window level, or null when it is not an integer in the level range.</summary>
    WindowLevel? Level { get; }

    /// <summary>How many times <c>symbol</c> was given (more than once is an error).</summary>
    int SymbolCount { get; }

    /// <summary>How many times <c>k</c> was given.</summary>
    int KCount { get; }

    /// <summary>
    /// Reads a count as sent: ASCII digits only (leading zeros allowed; no sign, fraction, exponent or spaces), saturated
    /// at <paramref name="max"/> + 1 so that any longer number is simply out of range. False when it is not digits.
    /// </summary>
    static bool TryParseDigits(string? text, int max, out int value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                value = 0;
                return false;
            }

            value = Math.Min((value * 10) + (c - '0'), max + 1);
        }

        return true;
    }
}
