using FluentValidation.Results;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace TradeStat.Api.Validation;

/// <summary>Maps FluentValidation results onto MVC model state, for a standard validation problem response.</summary>
public static class ValidationExtensions
{
    /// <summary>Copies every failure into <paramref name="modelState"/>.</summary>
    public static ModelStateDictionary AddTo(this ValidationResult result, ModelStateDictionary modelState)
    {
        foreach (var failure in result.Errors)
        {
            modelState.AddModelError(failure.PropertyName, failure.ErrorMessage);
        }

        return modelState;
    }
}
