using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Widgets.Gateway.Hosting;

/// <summary>
/// Cluster mode's readiness: the Orleans client has connected and holds at least one connection to a silo gateway.
/// It asks no grain and no database, so neither the loss of the silo that holds some grain nor a PostgreSQL blip
/// makes every gateway unready at once.
/// </summary>
internal sealed class ClusterClientHealthCheck(ClusterConnection cluster) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(cluster switch
        {
            { IsJoined: false } => HealthCheckResult.Unhealthy(
                "Connecting to the cluster: no silo has answered yet (the log says why and retries)."),
            { ConnectedGateways: 0 } => HealthCheckResult.Unhealthy(
                "No connection to any silo gateway; reconnecting (the live-gateway census reconnects within its period)."),
            { ConnectedGateways: var n } => HealthCheckResult.Healthy($"Connected to {n} silo gateway(s)."),
        });
}
