using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Widgets.Hosting.Health;

/// <summary>
/// Liveness and readiness through ASP.NET Core's health checks, for every host (the gateway in both modes, the
/// standalone silo). <c>/healthz</c> runs no check: it answers while the process does, from its first second.
/// <c>/readyz</c> runs the checks tagged <see cref="ReadinessTag"/>: this instance's own membership of the cluster
/// decides (503 while it has not joined, or is leaving); shared dependencies (PostgreSQL, the mail relay, Twilio)
/// can only make it <c>degraded</c> (still 200), because taking every instance out of rotation at once for a
/// dependency they all share turns a partial outage (lists and reads still answer) into a total one.
/// </summary>
public static class WidgetsHealth
{
    public const string ReadinessTag = "ready";

    private static readonly JsonWriterOptions Json = new() { Indented = false };

    /// <summary>
    /// The checks every host has: its own start and stop, storage and message providers (degraded at worst). The
    /// storage probe borrows from <paramref name="pool"/>, the one the host's Orleans providers use.
    /// </summary>
    public static IHealthChecksBuilder AddWidgetsHealthChecks(this IServiceCollection services, PostgresPool pool)
    {
        services.TryAddSingleton(sp => new StorageProbe(sp.GetRequiredService<IConfiguration>(), pool));
        services.TryAddSingleton(TimeProvider.System);
        return services.AddHealthChecks()
            .AddCheck<LifetimeHealthCheck>("lifetime", HealthStatus.Unhealthy, [ReadinessTag])
            .AddCheck<StorageHealthCheck>("storage", HealthStatus.Degraded, [ReadinessTag])
            .Add(new HealthCheckRegistration("email", MessageProviderHealthCheck.Email, HealthStatus.Degraded, [ReadinessTag]))
            .Add(new HealthCheckRegistration("sms", MessageProviderHealthCheck.Sms, HealthStatus.Degraded, [ReadinessTag]));
    }

    /// <summary>A host that runs a silo: ready once the silo is <c>Active</c> in the cluster's membership.</summary>
    public static IHealthChecksBuilder AddSiloMembershipCheck(this IHealthChecksBuilder checks) =>
        checks.AddCheck<SiloMembershipHealthCheck>("membership", HealthStatus.Unhealthy, [ReadinessTag]);

    /// <summary><c>GET /healthz</c> (live) and <c>GET /readyz</c> (ready), anonymous.</summary>
    public static IEndpointRouteBuilder MapWidgetsHealth(this IEndpointRouteBuilder app)
    {
        // GET only, as probes send it: any other method is a 405 like on every other route.
        var get = new HttpMethodMetadata([HttpMethods.Get]);
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteLive })
            .WithMetadata(get).AllowAnonymous();
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(ReadinessTag),
            ResponseWriter = WriteReady,
        }).WithMetadata(get).AllowAnonymous();
        return app;
    }

    private static Task WriteLive(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync("""{"status":"live"}""");
    }

    /// <summary>200 <c>{"status":"ready"|"degraded","checks":{…}}</c>, or 503 problem+json <c>not_ready</c> with the same checks.</summary>
    private static async Task WriteReady(HttpContext context, HealthReport report)
    {
        var ready = report.Status != HealthStatus.Unhealthy;
        context.Response.ContentType = ready ? "application/json" : "application/problem+json";
        context.Response.Headers.CacheControl = "no-store";
        await using var writer = new Utf8JsonWriter(context.Response.Body, Json);
        writer.WriteStartObject();
        if (ready)
        {
            writer.WriteString("status", report.Status == HealthStatus.Healthy ? "ready" : "degraded");
        }
        else
        {
            writer.WriteString("type", "https://tools.ietf.org/html/rfc9110#section-15.6.4");
            writer.WriteString("title", "Not ready");
            writer.WriteNumber("status", StatusCodes.Status503ServiceUnavailable);
            writer.WriteString("detail", string.Join(" ", report.Entries.Where(e => e.Value.Status == HealthStatus.Unhealthy)
                .Select(e => $"{e.Key}: {e.Value.Description}")));
            writer.WriteString("code", "not_ready");
        }

        writer.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            writer.WriteStartObject(name);
            writer.WriteString("status", entry.Status switch
            {
                HealthStatus.Healthy => "healthy",
                HealthStatus.Degraded => "degraded",
                _ => "unhealthy",
            });
            if (entry.Description is { Length: > 0 } description)
            {
                writer.WriteString("description", description);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
