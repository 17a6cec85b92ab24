using FluentValidation;
using TradeStat.Api.ActionResults;
using TradeStat.Api.OpenApi;
using TradeStat.Api.Requests;
using TradeStat.Api.Responses;
using TradeStat.Domain.Series;

namespace TradeStat.Api.Validation;

/// <summary>
/// Rules of <c>GET /stats/</c>: a valid symbol and an integer k from 1 to 8, each given once (a repeated parameter
/// would otherwise be answered silently for its first value: an answer to a question the client did not ask).
/// </summary>
public sealed class StatsQueryValidator : AbstractValidator<StatsQuery>
{
    private static readonly string KMessage = $"\"k\" must be an integer from {SeriesLimits.MinK} to {SeriesLimits.MaxK}.";

    public StatsQueryValidator()
    {
        RuleFor(q => q.SymbolCount)
            .Must(count => count <= 1).WithMessage("\"symbol\" must be given once.")
            .OverridePropertyName("symbol");

        RuleFor(q => q.KCount)
            .Must(count => count <= 1).WithMessage("\"k\" must be given once.")
            .OverridePropertyName("k");

        RuleFor(q => q.Symbol)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("\"symbol\" is required.")
            .Must(s => SymbolName.IsValid(s)).WithMessage($"\"symbol\" must be {SymbolName.Rule}.")
            .OverridePropertyName("symbol");

        RuleFor(q => q.K)
            .Must(k => TryParseK(k, out _)).WithMessage(KMessage)
            .OverridePropertyName("k");
    }

    /// <summary>Parses k as sent: ASCII digits only (leading zeros allowed; no sign, fraction, exponent or spaces).</summary>
    public static bool TryParseK(string? text, out int k)
    {
        k = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var value = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            // Saturate: anything above MaxK is invalid however long it is.
            value = Math.Min((value * 10) + (c - '0'), SeriesLimits.MaxK + 1);
        }

        k = value;
        return SeriesLimits.IsValidK(value);
    }
}
