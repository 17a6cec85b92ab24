using TradeStat.Domain.Series;

namespace TradeStat.Api.Requests;

/// <summary>
/// A query naming a symbol and a window level k, as <c>/stats/</c> and <c>/envelope/</c> take them: kept as text so that
/// every malformed <c>k</c> gets a clear message, with k read once, here.
/// </summary>
public abstract class SymbolLevelQuery
{
    private readonly WindowLevel? _level;

    /// <summary>The symbol.</summary>
    public string? Symbol { get; init; }

    /// <summary>The decade k as sent; <see cref="Level"/> is read from it once, here.</summary>
    public string? K
    {
        get;
        init
        {
            field = value;
            _level = TryParseK(value, out var level) ? level : null;
        }
    }

    /// <summary>
    /// <see cref="K"/> as a window level, or null when it is not an integer from <see cref="SeriesLimits.MinK"/> to
    /// <see cref="SeriesLimits.MaxK"/> (the validator reports that; past it, the level is there).
    /// </summary>
    public WindowLevel? Level => _level;

    /// <summary>How many times <c>symbol</c> was given (binding keeps the first: more than one is an error).</summary>
    public int SymbolCount { get; init; } = 1;

    /// <summary>How many times <c>k</c> was given.</summary>
    public int KCount { get; init; } = 1;

    /// <summary>Parses k as sent: ASCII digits only (leading zeros allowed; no sign, fraction, exponent or spaces).</summary>
    public static bool TryParseK(string? text, out WindowLevel level)
    {
        level = default;
        return TryParseDigits(text, SeriesLimits.MaxK, out var value) && WindowLevel.TryCreate(value, out level);
    }

    /// <summary>
    /// Reads a count as sent: ASCII digits only (leading zeros allowed; no sign, fraction, exponent or spaces), saturated
    /// at <paramref name="max"/> + 1 so that any longer number is simply out of range. False when it is not digits.
    /// </summary>
    protected static bool TryParseDigits(string? text, int max, out int value)
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
