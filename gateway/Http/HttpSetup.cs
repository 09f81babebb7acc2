using Microsoft.AspNetCore.Diagnostics;

namespace Widgets.Gateway.Http;

public static class HttpSetup
{
    public static IServiceCollection AddWidgetsHttp(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.ConfigureHttpJsonOptions(o => WidgetsJson.Configure(o.SerializerOptions));
        services.AddProblemDetails();
        // No body on any route needs more; JSON endpoints and forms have tighter limits of their own.
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(o =>
        {
            o.Limits.MaxRequestBodySize = 1024 * 1024;
            o.UseProblemJsonForParserRefusals();
        });
        return services;
    }

    /// <summary>
    /// Unknown routes and unhandled failures answer in problem+json too. A cluster that cannot be reached is a
    /// retryable 503 with Retry-After, never a bare 500.
    /// </summary>
    public static WebApplication UseWidgetsErrors(this WebApplication app)
    {
        app.UseExceptionHandler(errors => errors.Run(async context =>
        {
            var failure = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var logger = context.RequestServices.GetRequiredService<ILogger<ErrorCategory>>();
            IResult problem;
            if (failure is BadHttpRequestException bad)
            {
                problem = bad.StatusCode == 413 ? Problems.Of(ProblemCodes.PayloadTooLarge, bad.Message) : Problems.Of(ProblemCodes.BadRequest with { Status = bad.StatusCode }, bad.Message);
            }
            else if (failure is InvalidDataException or System.Text.Json.JsonException)
            {
                problem = Problems.Of(ProblemCodes.BadRequest, "The request body could not be read.");
            }
            else if (IsUnavailable(failure))
            {
                logger.LogWarning(failure, "Cluster unavailable for {Path}", context.Request.Path);
                context.Response.Headers.RetryAfter = "2";
                problem = Problems.Of(ProblemCodes.Unavailable, "The service is failing over; retry in a moment.");
            }
            else
            {
                logger.LogError(failure, "Unhandled failure for {Method} {Path}", context.Request.Method, context.Request.Path);
                problem = Problems.Of(ProblemCodes.InternalError);
            }

            await problem.ExecuteAsync(context);
        }));
        app.UseStatusCodePages(async status =>
        {
            var context = status.HttpContext;
            // Routing's own refusals (no route, wrong method, a body of a media type the endpoint does not accept) come
            // without a body; answer them like every other refusal.
            var problem = context.Response.StatusCode switch
            {
                404 => Problems.Of(ProblemCodes.NotFound, "See /openapi/v1.json for the routes this service serves."),
                405 => Problems.Of(ProblemCodes.MethodNotAllowed, "See /openapi/v1.json for the routes this service serves."),
                415 => Problems.Of(ProblemCodes.UnsupportedMediaType),
                _ => null,
            };
            if (problem is not null && !context.Response.HasStarted)
            {
                await problem.ExecuteAsync(context);
            }
        });
        return app;
    }

    private static bool IsUnavailable(Exception? failure) =>
        failure is Orleans.Runtime.SiloUnavailableException or Orleans.Runtime.OrleansMessageRejectionException
            or TimeoutException or Orleans.Runtime.OrleansException { InnerException: TimeoutException }
        || failure?.InnerException is Orleans.Runtime.SiloUnavailableException;

    /// <summary>Category of unhandled-error logs.</summary>
    public sealed class ErrorCategory;
}
