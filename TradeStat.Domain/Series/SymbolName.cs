namespace TradeStat.Domain.Series;

/// <summary>
/// The rule for symbol names: 1 to <see cref="SeriesLimits.MaxSymbolLength"/> characters from
/// <c>A–Z a–z 0–9 . _ - : /</c>, case-sensitive.
/// </summary>
public static class SymbolName
{
    /// <summary>Human-readable form of the rule, for error messages.</summary>
    public static readonly string Rule = $"1 to {SeriesLimits.MaxSymbolLength} characters from A-Z, a-z, 0-9 and . _ - : /";

    /// <summary>True when <paramref name="symbol"/> satisfies <see cref="Rule"/>.</summary>
    public static bool IsValid(ReadOnlySpan<char> symbol)
    {
        if (symbol.Length is 0 or > SeriesLimits.MaxSymbolLength)
        {
            return false;
        }

        foreach (var c in symbol)
        {
            if (!IsAllowed(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAllowed(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or ':' or '/';
}
