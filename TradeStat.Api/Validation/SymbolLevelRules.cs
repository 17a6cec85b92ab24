using FluentValidation;
using TradeStat.Api.Requests;
using TradeStat.Domain.Series;

namespace TradeStat.Api.Validation;

/// <summary>
/// The rules every query of a symbol and a level k follows: a valid symbol and an integer k in the level range, each
/// given once (a repeated parameter would otherwise be answered silently for its first value: an answer to a question
/// the client did not ask). Included by the validators of <c>/stats/</c> and <c>/envelope/</c>.
/// </summary>
public sealed class SymbolLevelRules<T> : AbstractValidator<T>
    where T : SymbolLevelQuery
{
    private static readonly string KMessage = $"\"k\" must be an integer from {SeriesLimits.MinK} to {SeriesLimits.MaxK}.";

    public SymbolLevelRules()
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

        // The range itself is checked once, where the query reads k (SymbolLevelQuery.TryParseK); this rule reports it.
        RuleFor(q => q.Level)
            .Must(level => level.HasValue).WithMessage(KMessage)
            .OverridePropertyName("k");
    }
}
