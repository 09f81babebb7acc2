using Orleans.Dashboard;
using Widgets.Gateway.Auth;
using Widgets.Gateway.Hosting;
using Widgets.Hosting;
using Widgets.Hosting.Health;

namespace Widgets.Gateway.Ops;

/// <summary>Liveness, readiness, forwarded headers, start and stop, and the Orleans dashboard.</summary>
public static class OperationsEndpoints
{
    /// <summary>
    /// How this host starts and stops (Kestrel at once, shutdown within the grace period), its health checks (the
    /// mode's own membership check is added by <see cref="OrleansHosting"/>), which proxies it trusts, and a signing key
    /// checked before anything is served.
    /// </summary>
    public static WebApplicationBuilder AddWidgetsOperations(this WebApplicationBuilder builder)
    {
        builder.Services.AddWidgetsHostLifetime(builder.Configuration);
        builder.Services.AddWidgetsHealthChecks(PostgresPool.Gateway);
        ForwardedHeadersSettings.AddWidgetsForwardedHeaders(builder.Services, builder.Configuration);
        if (!DocumentGeneration.IsActive)
        {
            builder.Services.AddHostedService<SigningKeysCheckedAtStart>();
        }

        return builder;
    }

    public static IEndpointRouteBuilder MapOperationsEndpoints(this IEndpointRouteBuilder app)
    {
        // Health-check endpoints describe no operation of their own: OpenApiSetup writes /healthz and /readyz into the document.
        app.MapWidgetsHealth();
        if (!DocumentGeneration.IsActive)
        {
            app.MapOrleansDashboard(routePrefix: "/dashboard").RequireAuthorization(AuthSetup.DashboardPolicy).ExcludeFromDescription();
        }
        return app;
    }
}
