using Microsoft.AspNetCore.Http.HttpResults;
using Orleans.Dashboard;
using Widgets.Gateway.Auth;
using Widgets.Gateway.Hosting;
using Widgets.Gateway.Http;
using Widgets.Hosting;

namespace Widgets.Gateway.Ops;

/// <summary>Liveness, readiness and the Orleans dashboard.</summary>
public static class OperationsEndpoints
{
    public static IEndpointRouteBuilder MapOperationsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new HealthStatus("live"))).AllowAnonymous().WithTags("Operations").WithName("live")
            .WithSummary("Liveness").WithDescription("The process answers; depends on nothing else.");
        app.MapGet("/readyz", Ready).AllowAnonymous().WithTags("Operations").WithName("ready")
            .WithSummary("Readiness").WithDescription("This instance can serve: 200 when ready, 503 `not_ready` when not.")
            .ProducesProblems(NotReady);
        if (!DocumentGeneration.IsActive)
        {
            app.MapOrleansDashboard(routePrefix: "/dashboard").RequireAuthorization(AuthSetup.DashboardPolicy).ExcludeFromDescription();
        }
        return app;
    }

    /// <summary>Ready when a grain call round-trips through the cluster and the database answers.</summary>
    private static readonly ProblemCode NotReady = new("not_ready", 503, "Not ready", "The cluster or its storage does not answer yet.");

    private static async Task<Results<Ok<HealthStatus>, ProblemHttpResult>> Ready(IGrainFactory grains, StorageProbe storage, ILogger<ReadinessProbe> logger, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await grains.GetGrain<Widgets.Clients.IClientDirectoryGrain>(GrainKeys.ClientDirectory).List().WaitAsync(timeout.Token);
            await storage.PingAsync(timeout.Token);
            return TypedResults.Ok(new HealthStatus("ready"));
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Not ready");
            return Problems.Of(NotReady);
        }
    }

    /// <summary>The body of a health answer.</summary>
    public sealed record HealthStatus(string Status);

    /// <summary>Category of readiness logs.</summary>
    public sealed class ReadinessProbe;
}
