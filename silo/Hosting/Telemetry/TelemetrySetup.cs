using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Widgets.Grains.Telemetry;

namespace Widgets.Hosting.Telemetry;

/// <summary>
/// OpenTelemetry for every host: the product's meter (<see cref="WidgetsTelemetry"/>), Orleans' own
/// (<c>Microsoft.Orleans</c>), ASP.NET Core's HTTP server metrics, HttpClient and the .NET runtime, served at
/// <c>/metrics</c> in Prometheus' text format and, when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, exported by OTLP
/// together with traces: the HTTP request, the grain calls it makes (Orleans' activity propagation), storage reads and
/// writes, and the SMTP/Twilio hand-off.
/// </summary>
public static class TelemetrySetup
{
    /// <summary>The grain-call spans Orleans emits for application grains, and its storage spans.</summary>
    private static readonly string[] TraceSources =
        [WidgetsTelemetry.Name, "Microsoft.Orleans.Application", "Microsoft.Orleans.Storage", "Npgsql"];

    /// <summary>
    /// ASP.NET Core's meters that record once per request or connection and say what an operator needs: request rate
    /// and duration by route and status (Hosting), connections (Kestrel), unhandled exceptions (Diagnostics).
    /// <c>AddAspNetCoreInstrumentation()</c> would add routing, authentication, authorization and rate-limiting meters
    /// too, several more recordings on every request: with them, list with telemetry on ran at 0.89 × off, without
    /// them at 1.05 × (one run each on a busy shared machine; docs/PERFORMANCE.md, "Telemetry"), for figures the
    /// request metrics and the logs already give.
    /// </summary>
    private static readonly string[] AspNetCoreMeters =
        ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Diagnostics"];

    public static IServiceCollection AddWidgetsTelemetry(this IServiceCollection services, IConfiguration configuration, string serviceName)
    {
        var settings = TelemetrySettings.From(configuration);
        services.AddSingleton(settings);
        if (!settings.Enabled)
        {
            return services;
        }

        var version = typeof(TelemetrySetup).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName, serviceVersion: version))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(WidgetsTelemetry.Name, "Microsoft.Orleans")
                    .AddMeter(AspNetCoreMeters)
                    .AddView(instrument => new MetricStreamConfiguration { CardinalityLimit = CardinalityLimit(instrument) })
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddPrometheusExporter();
                if (settings.OtlpEndpoint is not null)
                {
                    metrics.AddOtlpExporter();
                }
            });
        if (settings.Tracing)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(TraceSources)
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsHousekeeping(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddOtlpExporter());
        }

        return services;
    }

    /// <summary>
    /// How many label combinations each instrument keeps. OpenTelemetry allocates that many points per instrument up
    /// front (its default, 2,000, at 72 bytes each: ~33 MB for the ~230 instruments here, a tenth of the process). Our
    /// funnel and HTTP metrics have a few hundred combinations at most (steps × widget types, routes × methods ×
    /// statuses); Orleans' and the runtime's carry a handful of labels. A combination past the limit is counted under
    /// OpenTelemetry's overflow label, not lost.
    /// </summary>
    private static int CardinalityLimit(System.Diagnostics.Metrics.Instrument instrument) =>
        instrument.Meter.Name == WidgetsTelemetry.Name || instrument.Meter.Name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) ? 500 : 100;

    /// <summary>Carries the trace from the caller into grain calls (and on to their calls); only when traces are recorded.</summary>
    public static ISiloBuilder AddWidgetsTracePropagation(this ISiloBuilder silo, IConfiguration configuration)
    {
        if (TelemetrySettings.From(configuration).Tracing)
        {
            silo.AddActivityPropagation();
        }

        return silo;
    }

    /// <summary>
    /// <c>GET /metrics</c> for callers <paramref name="allowed"/> admits (by default loopback and
    /// <see cref="TelemetrySettings.MetricsNetworks"/>); others get 403. Not mapped when telemetry is off.
    /// </summary>
    public static IEndpointConventionBuilder? MapWidgetsMetrics(this IEndpointRouteBuilder app, Func<HttpContext, TelemetrySettings, bool>? allowed = null)
    {
        var settings = app.ServiceProvider.GetRequiredService<TelemetrySettings>();
        if (!settings.Enabled)
        {
            return null;
        }

        allowed ??= (context, s) => s.MetricsAllowedFrom(context);

        // The exporter's endpoint is a plain request delegate (endpoint filters do not run for it): the check is a
        // middleware on its own branch.
        return app.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null, configureBranchedPipeline: branch => branch.Use(async (context, next) =>
        {
            if (allowed(context, settings))
            {
                await next(context);
                return;
            }

            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsJsonAsync(new
            {
                type = "https://httpstatuses.io/403",
                title = "Forbidden",
                status = 403,
                detail = "Metrics are served to loopback, to the networks in Telemetry:MetricsNetworks and, on the gateway, to a widgets_admin token.",
            }, options: null, contentType: "application/problem+json");
        }), optionsName: null);
    }

    private static bool IsHousekeeping(PathString path) =>
        path.StartsWithSegments("/metrics") || path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz");
}
