using FluentValidation;
using Microsoft.AspNetCore.Mvc;
using Serilog;
using TradeStat.Api.Contracts;
using TradeStat.Api.Errors;
using TradeStat.Api.Formatting;

namespace TradeStat.Api;

/// <summary>Registers and wires the HTTP layer.</summary>
public static class DependencyInjection
{
    /// <summary>Controllers, formatters, validators, problem details, health checks and OpenAPI.</summary>
    public static IServiceCollection AddApi(this IServiceCollection services)
    {
        services.AddControllers(options =>
            {
                options.InputFormatters.Insert(0, new AddBatchRequestInputFormatter());
                options.SuppressImplicitRequiredAttributeForNonNullableReferenceTypes = true;
            })
            .AddJsonOptions(options =>
            {
                options.AllowInputFormatterExceptionMessages = false;
                options.JsonSerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
            });

        services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton);
        services.AddProblemDetails(options =>
            options.CustomizeProblemDetails = context =>
                context.ProblemDetails.Instance ??= $"{context.HttpContext.Request.Method} {context.HttpContext.Request.Path}");
        services.AddExceptionHandler<ProblemDetailsExceptionHandler>();
        services.AddHealthChecks();
        services.AddOpenApi();
        return services;
    }

    /// <summary>The request pipeline: request logging (sees final statuses), error mapping, then endpoints.</summary>
    public static WebApplication UseApi(this WebApplication app)
    {
        app.UseSerilogRequestLogging();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapControllers();
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready");
        app.MapOpenApi();
        return app;
    }
}
