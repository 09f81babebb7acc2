namespace Widgets.Gateway.Hosting;

/// <summary>
/// A gateway may start before any silo: keep trying to join, logging each miss, until the host stops. Until
/// then <c>/readyz</c> says 503, so a load balancer sends it no traffic.
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
