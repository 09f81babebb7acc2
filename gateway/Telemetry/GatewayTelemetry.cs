using Widgets.Clients;
using Widgets.Gateway.Auth;
using Widgets.Gateway.Hosting;
using Widgets.Hosting.Telemetry;

namespace Widgets.Gateway.Telemetry;

/// <summary>The gateway's telemetry: OpenTelemetry as every host has it (<see cref="TelemetrySetup"/>), the start-up line, and <c>/metrics</c>.</summary>
public static class GatewayTelemetry
{
    public static WebApplicationBuilder AddWidgetsGatewayTelemetry(this WebApplicationBuilder builder)
    {
        if (DocumentGeneration.IsActive)
        {
            return builder;
        }

        builder.Services.AddWidgetsTelemetry(builder.Configuration, "widgets-gateway");
        StartupBanner.AddStartupBanner(builder.Services, "gateway");
        return builder;
    }

    /// <summary>
    /// <c>GET /metrics</c>: loopback and <see cref="TelemetrySettings.MetricsNetworks"/> by address, anyone else with a
    /// <c>widgets_admin</c> access token (Prometheus' <c>oauth2</c> client-credentials scrape option gets one). Not in
    /// the OpenAPI document: it is not part of the API.
    /// </summary>
    public static IEndpointRouteBuilder MapGatewayMetrics(this IEndpointRouteBuilder app)
    {
        if (!DocumentGeneration.IsActive)
        {
            app.MapWidgetsMetrics((context, settings) => settings.MetricsAllowedFrom(context) || context.User.HasScope(Scopes.WidgetsAdmin))?.ExcludeFromDescription();
        }

        return app;
    }
}
