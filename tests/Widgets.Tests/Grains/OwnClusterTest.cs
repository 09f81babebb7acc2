using Orleans.TestingHost;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Grains;

/// <summary>
/// For tests that stop, restart or break clusters: each test owns its clusters and data directory (its class is its
/// own xunit collection, so it runs in parallel with the shared-cluster tests). Clusters started one after the other
/// share the service id, and so the storage and reminder rows: that models a restart.
/// </summary>
public abstract class OwnClusterTest : IAsyncLifetime
{
    private readonly TestDataDirectory data = new();
    private readonly string serviceId = $"widgets-restart-{Guid.NewGuid():N}";

    protected TestCluster? Cluster { get; private set; }

    protected async Task<IGrainFactory> StartClusterAsync(TimeSpan? reminderPeriod = null)
    {
        Cluster = await WidgetsTestCluster.StartAsync(data.Path, serviceId, reminderPeriod);
        return Cluster.GrainFactory;
    }

    protected async Task StopClusterAsync()
    {
        if (Cluster is { } running)
        {
            Cluster = null;
            await running.StopAllSilosAsync();
            await running.DisposeAsync();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await StopClusterAsync();
        data.Dispose();
    }
}
