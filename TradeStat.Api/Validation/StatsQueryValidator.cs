using FluentValidation;
using TradeStat.Api.Requests;

namespace TradeStat.Api.Validation;

/// <summary>Rules of <c>GET /stats/</c>: those of every symbol-and-k query (<see cref="SymbolLevelRules{T}"/>).</summary>
public sealed class StatsQueryValidator : AbstractValidator<StatsQuery>
{
    public StatsQueryValidator() => Include(new SymbolLevelRules<StatsQuery>());
}
