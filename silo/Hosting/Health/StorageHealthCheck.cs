using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Widgets.Hosting.Health;

/// <summary>
/// Asks the mode's database <c>SELECT 1</c> within <see cref="Timeout"/>. A failure reports the registration's failure
/// status, <c>Degraded</c>: every instance shares the database, so its blip must not take them all out of rotation.
/// </summary>
public sealed class StorageHealthCheck(StorageProbe storage) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await storage.PingAsync(timeout.Token);
            return HealthCheckResult.Healthy("The database answers.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus,
                $"The database does not answer within {Timeout.TotalSeconds:0} s ({ex.GetType().Name}); calls that read or write state will fail or wait.");
        }
    }
}
