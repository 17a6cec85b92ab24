using FluentValidation;
using TradeStat.Api.Requests;
using TradeStat.Domain.Series;

namespace TradeStat.Api.Validation;

/// <summary>Rules of <c>GET /envelope/</c>: those of <c>/stats/</c> for symbol and k, and a bucket count in range; each given once.</summary>
public sealed class EnvelopeQueryValidator : AbstractValidator<EnvelopeQuery>
{
    private static readonly string KMessage = $"\"k\" must be an integer from {SeriesLimits.MinK} to {SeriesLimits.MaxK}.";
    private static readonly string BucketsMessage = $"\"buckets\" must be an integer from 1 to {SeriesLimits.MaxEnvelopeBuckets}.";

    public EnvelopeQueryValidator()
    {
        RuleFor(q => q.SymbolCount)
            .Must(count => count <= 1).WithMessage("\"symbol\" must be given once.")
            .OverridePropertyName("symbol");

        RuleFor(q => q.KCount)
            .Must(count => count <= 1).WithMessage("\"k\" must be given once.")
            .OverridePropertyName("k");

        RuleFor(q => q.BucketsCount)
            .Must(count => count <= 1).WithMessage("\"buckets\" must be given once.")
            .OverridePropertyName("buckets");

        RuleFor(q => q.Symbol)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("\"symbol\" is required.")
            .Must(s => SymbolName.IsValid(s)).WithMessage($"\"symbol\" must be {SymbolName.Rule}.")
            .OverridePropertyName("symbol");

        RuleFor(q => q.Level)
            .Must(level => level.HasValue).WithMessage(KMessage)
            .OverridePropertyName("k");

        RuleFor(q => q.BucketCount)
            .Must(buckets => buckets.HasValue).WithMessage(BucketsMessage)
            .OverridePropertyName("buckets");
    }
}
