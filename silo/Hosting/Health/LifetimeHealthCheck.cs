using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Widgets.Hosting.Health;

/// <summary>
/// Ready only between the host's "started" (every hosted service's start has finished) and its "stopping": before,
/// it is still starting; after, a load balancer must drain it before it closes.
/// </summary>
public sealed class LifetimeHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifetime switch
        {
            { ApplicationStopping.IsCancellationRequested: true } => HealthCheckResult.Unhealthy("This instance is shutting down."),
            { ApplicationStarted.IsCancellationRequested: false } => HealthCheckResult.Unhealthy("This instance is still starting."),
            _ => HealthCheckResult.Healthy(),
        });
}
