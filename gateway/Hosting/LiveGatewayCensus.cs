using Orleans.Runtime;

namespace Widgets.Gateway.Hosting;

/// <summary>How many gateways serve this deployment right now, so a deployment-wide limit can be split between them.</summary>
public interface ILiveGateways
{
    /// <summary>At least 1.</summary>
    int Count { get; }
}

/// <summary>Embedded mode: this process is the deployment.</summary>
internal sealed class OneGateway : ILiveGateways
{
    public int Count => 1;
}

/// <summary>
/// Cluster mode: every <see cref="Period"/>, asks each active silo how many Orleans clients its gateway endpoint
/// serves (<c>SiloRuntimeStatistics.ClientCount</c>) and takes the largest answer. Every gateway connects to every
/// silo it knows when it starts, so that is the number of live gateways; a gateway that went away drops out when
/// the silos drop its connection. Until the first answer, and whenever the cluster does not answer, the last count
/// stands (1 at start: a fresh gateway never throttles harder than its share). The call also re-opens connections to
/// the silos after every one was lost (a whole-cluster restart), which Orleans' client otherwise does only on the
/// next grain call, and an unready gateway gets none.
/// </summary>
internal sealed class LiveGatewayCensus(IClusterClient client, ClusterConnection cluster, ILogger<LiveGatewayCensus> logger) : BackgroundService, ILiveGateways
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(10);

    private int count = 1;

    public int Count => Volatile.Read(ref count);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await cluster.WhenJoined(stoppingToken);
        using var timer = new PeriodicTimer(Period);
        do
        {
            try
            {
                var counted = await CountAsync();
                if (counted > 0 && counted != Count)
                {
                    logger.LogInformation("Live gateways: {Count} (was {Previous}); deployment-wide limits are split between them", counted, Count);
                    Volatile.Write(ref count, counted);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogDebug(ex, "Could not count the live gateways; keeping {Count}", Count);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>The largest client count any active silo reports; silos that do not answer are skipped.</summary>
    private async Task<int> CountAsync()
    {
        var management = client.GetGrain<IManagementGrain>(0);
        var silos = await management.GetHosts(onlyActive: true);
        var counts = await Task.WhenAll(silos.Keys.Select(async silo =>
        {
            try
            {
                return (await management.GetRuntimeStatistics([silo])).Single().ClientCount;
            }
            catch (Exception ex) when (ex is TimeoutException or SiloUnavailableException or OrleansException)
            {
                return 0;
            }
        }));
        return (int)Math.Min(counts.DefaultIfEmpty(0).Max(), int.MaxValue);
    }
}

/// <summary>A deployment-wide rate split between the live gateways.</summary>
public static class GatewayShare
{
    /// <summary>
    /// ⌈<paramref name="deploymentWide"/> ÷ live gateways⌉, at least 1. The limiter's partition key carries the share,
    /// so when the number of gateways changes the next requests get buckets of the new size.
    /// </summary>
    public static int Of(int deploymentWide, ILiveGateways gateways) =>
        Math.Max(1, (deploymentWide + gateways.Count - 1) / Math.Max(1, gateways.Count));
}
