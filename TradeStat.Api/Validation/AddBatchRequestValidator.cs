using FluentValidation;
using TradeStat.Api.Requests;
using TradeStat.Domain.Series;

namespace TradeStat.Api.Validation;

/// <summary>Rules of <c>POST /add_batch/</c> beyond JSON syntax: symbol format and batch size.</summary>
public sealed class AddBatchRequestValidator : AbstractValidator<AddBatchRequest>
{
    private static readonly string ValuesRequired = $"\"values\" is required: an array of 1 to {SeriesLimits.MaxBatchSize} numbers.";

    public AddBatchRequestValidator()
    {
        RuleFor(r => r.Symbol)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("\"symbol\" is required.")
            .Must(s => SymbolName.IsValid(s)).WithMessage($"\"symbol\" must be {SymbolName.Rule}.")
            .OverridePropertyName("symbol");

        RuleFor(r => r.HasValues)
            .Equal(true).WithMessage(ValuesRequired)
            .OverridePropertyName("values");

        RuleFor(r => r.ValueCount)
            .InclusiveBetween(1, SeriesLimits.MaxBatchSize)
            .When(r => r.HasValues)
            .WithMessage(r => $"\"values\" must hold 1 to {SeriesLimits.MaxBatchSize} numbers; it holds {r.ValueCount}.")
            .OverridePropertyName("values");
    }
}
