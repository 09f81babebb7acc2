using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Widgets.Hosting.Health;

/// <summary>
/// Asks the mode's database <c>SELECT 1</c> and waits at most <see cref="Timeout"/> for the answer. A failure
/// reports the registration's failure status, <c>Degraded</c>: every instance shares the database, so its blip must
/// not take them all out of rotation. The probe's answer is not waited for beyond the timeout (a frozen server does
/// not honour cancellation promptly), and at most one probe runs at a time, so a frozen database cannot pile up
/// connections from readiness checks.
/// </summary>
public sealed class StorageHealthCheck(StorageProbe storage) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    private readonly Lock gate = new();
    private Task? probe;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        Task current;
        lock (gate)
        {
            if (probe is null || probe.IsCompleted)
            {
                probe = Task.Run(() => storage.PingAsync(CancellationToken.None), CancellationToken.None);

                // A probe abandoned after the timeout may fail later, with nobody waiting: observe it here.
                probe.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }

            current = probe;
        }

        var finished = await Task.WhenAny(current, Task.Delay(Timeout, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
        return finished == current && current.IsCompletedSuccessfully
            ? HealthCheckResult.Healthy("The database answers.")
            : new HealthCheckResult(context.Registration.FailureStatus,
                finished == current
                    ? $"The database refused the probe ({current.Exception?.GetBaseException().GetType().Name}); calls that read or write state fail."
                    : $"The database has not answered within {Timeout.TotalSeconds:0} s; calls that read or write state wait or fail.");
    }
}
