namespace Widgets.Gateway.Hosting;

/// <summary>
/// A gateway may start before any silo: keep trying to join, logging each miss, until the host stops. Kestrel is
/// already listening meanwhile: <c>/healthz</c> answers 200, <c>/readyz</c> 503 (<see cref="ClusterClientHealthCheck"/>)
/// and every other request a retryable 503 (<see cref="ClusterGate"/>), so a load balancer sends it no traffic and a
/// liveness probe does not restart it.
/// </summary>
internal sealed class ClusterConnectionRetry(ILogger<ClusterConnectionRetry> logger) : IClientConnectionRetryFilter
{
    private int attempt;

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        attempt++;
        logger.LogWarning("Cluster not reachable yet (attempt {Attempt}): {Reason}. Is a silo running against the same ConnectionStrings:Postgres and Orleans:ClusterId? Retrying.",
            attempt, exception.Message);
        await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), cancellationToken);
        return !cancellationToken.IsCancellationRequested;
    }
}
