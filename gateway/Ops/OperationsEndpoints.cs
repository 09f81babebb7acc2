using Orleans.Dashboard;
using Widgets.Gateway.Auth;
using Widgets.Hosting;

namespace Widgets.Gateway.Ops;

/// <summary>Liveness, readiness and the Orleans dashboard.</summary>
public static class OperationsEndpoints
{
    public static IEndpointRouteBuilder MapOperationsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "live" })).AllowAnonymous().WithTags("Operations");
        app.MapGet("/readyz", Ready).AllowAnonymous().WithTags("Operations");
        app.MapOrleansDashboard(routePrefix: "/dashboard").RequireAuthorization(AuthSetup.DashboardPolicy);
        return app;
    }

    /// <summary>Ready when a grain call round-trips through the cluster and the database answers.</summary>
    private static async Task<IResult> Ready(IGrainFactory grains, StorageProbe storage, ILogger<ReadinessProbe> logger, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await grains.GetGrain<Widgets.Clients.IClientDirectoryGrain>(GrainKeys.ClientDirectory).List().WaitAsync(timeout.Token);
            await storage.PingAsync(timeout.Token);
            return TypedResults.Ok(new { status = "ready" });
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Not ready");
            return TypedResults.Problem("The cluster or its storage does not answer yet.", statusCode: 503, title: "Not ready",
                extensions: new Dictionary<string, object?> { ["code"] = "not_ready" });
        }
    }

    /// <summary>Category of readiness logs.</summary>
    public sealed class ReadinessProbe;
}
