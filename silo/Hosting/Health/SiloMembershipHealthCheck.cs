using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;

namespace Widgets.Hosting.Health;

/// <summary>Ready when this host's silo is <c>Active</c>: joined, not yet shutting down, not declared dead.</summary>
public sealed class SiloMembershipHealthCheck(ISiloStatusOracle silo) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(silo.CurrentStatus == SiloStatus.Active
            ? HealthCheckResult.Healthy($"Silo {silo.SiloAddress} is active.")
            : HealthCheckResult.Unhealthy($"Silo {silo.SiloAddress} is {silo.CurrentStatus}, not active (still joining, or leaving)."));
}
