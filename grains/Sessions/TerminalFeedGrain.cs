using Microsoft.Extensions.Logging;
using Orleans.Utilities;
using Widgets.Sessions;

namespace Widgets.Grains.Sessions;

/// <summary>Holds no state: events are for screens that are listening now; the session itself is the record.</summary>
public sealed class TerminalFeedGrain(ILogger<TerminalFeedGrain> logger) : Grain, ITerminalFeedGrain
{
    private readonly ObserverManager<ITerminalObserver> observers = new(ITerminalFeedGrain.SubscriptionLifetime, logger);

    public Task Subscribe(ITerminalObserver observer)
    {
        observers.Subscribe(observer, observer);
        return Task.CompletedTask;
    }

    public Task Unsubscribe(ITerminalObserver observer)
    {
        observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    public Task Publish(TerminalEvent terminalEvent)
    {
        observers.Notify(o => o.OnEvent(terminalEvent));
        return Task.CompletedTask;
    }
}
