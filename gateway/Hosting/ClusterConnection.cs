using Orleans.Runtime;

namespace Widgets.Gateway.Hosting;

/// <summary>
/// Whether this gateway can serve: it has joined the cluster (embedded: its silo reached <c>Active</c>; cluster mode:
/// the Orleans client finished connecting) and, in cluster mode, how many silo gateways it holds connections to.
/// The host starts Kestrel at once (<c>HostOptions.ServicesStartConcurrently</c>), so everything that needs grains
/// waits on <see cref="WhenJoined"/> and requests are turned away with a retryable 503 until then.
/// </summary>
public sealed class ClusterConnection : IClusterConnectionStatusObserver, ILifecycleParticipant<IClusterClientLifecycle>, ILifecycleParticipant<ISiloLifecycle>
{
    private readonly TaskCompletionSource joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int connectedGateways;

    public bool IsJoined => joined.Task.IsCompleted;

    /// <summary>Open connections to silo gateways (cluster mode); 0 in embedded mode, where there is no network hop.</summary>
    public int ConnectedGateways => Volatile.Read(ref connectedGateways);

    public Task WhenJoined(CancellationToken cancellationToken) => joined.Task.WaitAsync(cancellationToken);

    /// <summary>
    /// Cluster mode: a silo gateway went away, or the connection to the cluster came back after every one was lost.
    /// Either way some grains this gateway follows may now live in new activations that know nothing of its
    /// subscriptions (a silo killed with its terminals' feeds), so followers re-subscribe (<c>TerminalScreenFeeds</c>).
    /// Raised on Orleans' thread: handlers only schedule work.
    /// </summary>
    public event Action? SilosLost;

    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        Volatile.Write(ref connectedGateways, currentNumberOfGateways);
        if (currentNumberOfGateways < previousNumberOfGateways || connectionRecovered)
        {
            SilosLost?.Invoke();
        }
    }

    public void NotifyClusterConnectionLost() => Volatile.Write(ref connectedGateways, 0);

    public void Participate(IClusterClientLifecycle lifecycle) => SubscribeActive(lifecycle);

    public void Participate(ISiloLifecycle lifecycle) => SubscribeActive(lifecycle);

    private void SubscribeActive(ILifecycleObservable lifecycle) =>
        lifecycle.Subscribe(nameof(ClusterConnection), ServiceLifecycleStage.Active, _ =>
        {
            joined.TrySetResult();
            return Task.CompletedTask;
        });
}
