using FluentValidation;
using TradeStat.Api.Requests;
using TradeStat.Domain.Series;

namespace TradeStat.Api.Validation;

/// <summary>Rules of <c>GET /envelope/</c>: those of <c>/stats/</c> for symbol and k, and a bucket count in range; each given once.</summary>
public sealed class EnvelopeQueryValidator : AbstractValidator<EnvelopeQuery>
{
    private static readonly string BucketsMessage = $"\"buckets\" must be an integer from 1 to {SeriesLimits.MaxEnvelopeBuckets}.";

    public EnvelopeQueryValidator()
    {
        Include(new SymbolLevelRules<EnvelopeQuery>());

        RuleFor(q => q.BucketsCount)
            .Must(count => count <= 1).WithMessage("\"buckets\" must be given once.")
            .OverridePropertyName("buckets");

        RuleFor(q => q.BucketCount)
            .Must(buckets => buckets.HasValue).WithMessage(BucketsMessage)
            .OverridePropertyName("buckets");
    }
}
