using System.Text.Json.Serialization;
using FluentValidation;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Prometheus;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TradeStat.Api.Dashboard;
using TradeStat.Api.Diagnostics;
using TradeStat.Api.Errors;
using TradeStat.Api.Formatting;
using TradeStat.Api.OpenApi;
using TradeStat.Api.Requests;
using TradeStat.Api.Responses;
using TradeStat.Api.Routing;

namespace TradeStat.Api;

/// <summary>Registers and wires the HTTP layer.</summary>
public static class DependencyInjection
{
    /// <summary>Controllers, formatters, validators, problem details, health checks and OpenAPI.</summary>
    public static IServiceCollection AddApi(this IServiceCollection services)
    {
        services.AddOptions<ApiOptions>()
            .BindConfiguration(ApiOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.HasKnownLogFormat, $"{ApiOptions.SectionName}:{nameof(ApiOptions.LogFormat)} must be {ApiOptions.JsonLogFormat} or {ApiOptions.TextLogFormat}.")
            .ValidateOnStart();

        // SIGTERM / Ctrl-C: Kestrel stops accepting, in-flight requests get this long to finish.
        services.AddOptions<HostOptions>()
            .Configure<IOptions<ApiOptions>>((host, api) => host.ShutdownTimeout = TimeSpan.FromSeconds(api.Value.ShutdownTimeoutSeconds));

        // An add_batch (body upload included) that takes longer is cancelled and answered 408. Only uploads can be
        // slow: the policy is named and put on that action, so reads pay nothing for it (no timer per request).
        services.AddRequestTimeouts();
        services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<ApiOptions>>((timeouts, api) =>
            timeouts.AddPolicy(ApiOptions.UploadTimeoutPolicy, new RequestTimeoutPolicy
            {
                Timeout = api.Value.RequestTimeoutSeconds > 0 ? TimeSpan.FromSeconds(api.Value.RequestTimeoutSeconds) : null,
                TimeoutStatusCode = StatusCodes.Status408RequestTimeout,
            }));

        // /metrics: the service's own metrics beside prometheus-net's HTTP, process and runtime (GC, memory) ones.
        // The .NET Meters bridge is off: it allocates and sorts labels on every measurement, per request.
        services.AddSingleton<ServiceMetrics>();
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressMeters = true });
        // MVC core with API explorer (for OpenAPI): AddControllers would add authorization, CORS, data annotations and
        // formatter mappings, which no endpoint here uses, and the authorization services make the host insert the
        // authentication and authorization middlewares into every request (ADR-005).
        services.AddMvcCore(options =>
            {
                // The only request body is add_batch's; without the stock JSON formatter nothing else can
                // claim a body, so an unsupported charset is a clean 415.
                // (The add_batch formatter itself is added below, with the configured JSON depth.)
                options.InputFormatters.Clear();
                options.SuppressImplicitRequiredAttributeForNonNullableReferenceTypes = true;

                // Parameters come from the query string and the route only: the form and form-file providers would
                // otherwise be created for every request.
                options.ValueProviderFactories.RemoveType<FormValueProviderFactory>();
                options.ValueProviderFactories.RemoveType<FormFileValueProviderFactory>();
                options.ValueProviderFactories.RemoveType<JQueryFormValueProviderFactory>();
            })
            .AddApiExplorer()
            .AddJsonOptions(options =>
            {
                options.AllowInputFormatterExceptionMessages = false;
                options.JsonSerializerOptions.NumberHandling = JsonNumberHandling.Strict;
                options.JsonSerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
            });

        services.AddOptions<MvcOptions>().Configure<IOptions<ApiOptions>>((mvc, api) =>
            mvc.InputFormatters.Add(new AddBatchRequestInputFormatter(api.Value.MaxJsonDepth)));

        // The dashboard at /: its options, and one live view per page view, shared by every open page.
        services.AddOptions<DashboardOptions>().BindConfiguration(DashboardOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SeriesLiveView>();
        services.AddSingleton<FeedLiveView>();
        services.AddSingleton<FeedHistory>();
        services.AddHostedService<FeedHistorySampler>();

        // GET /symbols and GET /{symbol} exist only when the live feed is on (Binance:Enabled).
        services.AddSingleton<IConfigureOptions<MvcOptions>, FeedEndpoints>();
        services.Configure<RouteOptions>(o => o.ConstraintMap[FeedSymbolRouteConstraint.Name] = typeof(FeedSymbolRouteConstraint));

        services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton);
        services.AddProblemDetails(options =>
            options.CustomizeProblemDetails = context =>
            {
                var problem = context.ProblemDetails;
                problem.Instance ??= $"{context.HttpContext.Request.Method} {context.HttpContext.Request.Path}";
                problem.Detail ??= problem.Status switch
                {
                    StatusCodes.Status404NotFound => "There is no endpoint at this path. See /openapi/v1.json.",
                    StatusCodes.Status405MethodNotAllowed => "This endpoint does not accept this HTTP method.",
                    StatusCodes.Status415UnsupportedMediaType => "Send the body as JSON with Content-Type: application/json.",
                    _ => null,
                };
            });
        services.AddExceptionHandler<ProblemDetailsExceptionHandler>();
        services.AddHealthChecks();
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict);
        services.AddOpenApi(options => options.AddOperationTransformer(async (operation, context, cancellationToken) =>
        {
            // The add_batch body is read by a custom formatter; describe its wire shape instead of the reader type.
            if (context.Description.ParameterDescriptions.Any(p => p.Type == typeof(AddBatchRequest))
                && operation.RequestBody?.Content is { } content)
            {
                var schema = await context.GetOrCreateSchemaAsync(typeof(AddBatchBody), null, cancellationToken);
                foreach (var mediaType in content.Values)
                {
                    mediaType.Schema = schema;
                }
            }

            // Query parameters an action reads itself (GET /stats/'s symbol and k, as text so that bad values get
            // precise messages): listed from their declarations, all required.
            foreach (var declared in context.Description.ActionDescriptor.EndpointMetadata.OfType<QueryParameterAttribute>())
            {
                operation.Parameters ??= [];
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = declared.Name,
                    In = ParameterLocation.Query,
                    Required = true,
                    Description = declared.Description,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
            }
        }));
        return services;
    }

    /// <summary>The request pipeline: routing, request telemetry (sees final statuses), error mapping, then endpoints.</summary>
    public static WebApplication UseApi(this WebApplication app)
    {
        var api = app.Services.GetRequiredService<IOptions<ApiOptions>>().Value;

        app.UseRouting();

        // Metrics and the request's log event (never the body), outside the error handling, so that the status seen is
        // the one the client got; after routing, so that the route template is known.
        if (api.Metrics || api.RequestLogging)
        {
            app.UseMiddleware<RequestTelemetryMiddleware>();
        }

        if (api.Metrics)
        {
            app.MapMetrics("/metrics");
        }

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseDashboard();
        app.UseRequestTimeouts();
        app.MapControllers();
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready");
        app.MapOpenApi();
        return app;
    }
}
