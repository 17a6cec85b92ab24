namespace TradeStat.Api.Formatting;

/// <summary>A parse failure: the JSON member at fault and a message for the client.</summary>
/// <param name="Member">JSON member name or path (<c>$</c> for the whole body).</param>
/// <param name="Message">What is wrong.</param>
public readonly record struct ParseError(string Member, string Message);
