using Microsoft.Extensions.Logging;
using Orleans.Utilities;
using Widgets.Catalogue;
using Widgets.Keys;
using Widgets.Sessions;

namespace Widgets.Grains.Sessions;

/// <summary>
/// Holds no state: events are for screens that are listening now; the session itself is the record. The location
/// learns whether anyone listens, so sessions of unwatched terminals do not activate a feed at all.
/// </summary>
public sealed class TerminalFeedGrain(ILogger<TerminalFeedGrain> logger) : Grain, ITerminalFeedGrain
{
    private readonly ObserverManager<ITerminalObserver> observers = new(ITerminalFeedGrain.SubscriptionLifetime, logger);

    private (LocationKey Location, string TerminalId) Terminal => GrainKeys.ParseTerminal(this.GetPrimaryKeyString());

    public async Task Subscribe(ITerminalObserver observer)
    {
        observers.Subscribe(observer, observer);
        // Told on every (re-)subscription, so a location that was reactivated meanwhile learns it again.
        var (location, terminalId) = Terminal;
        await GrainFactory.Grain<ILocationGrain>(location.ToString()).SetTerminalWatched(terminalId, true);
    }

    public Task Unsubscribe(ITerminalObserver observer)
    {
        observers.Unsubscribe(observer);
        CloseIfUnwatched();
        return Task.CompletedTask;
    }

    public Task Publish(TerminalEvent terminalEvent)
    {
        observers.Notify(o => o.OnEvent(terminalEvent));
        CloseIfUnwatched();
        return Task.CompletedTask;
    }

    private void CloseIfUnwatched()
    {
        if (observers.Count > 0)
        {
            return;
        }

        var (location, terminalId) = Terminal;
        GrainFactory.Grain<ILocationGrain>(location.ToString()).SetTerminalWatched(terminalId, false).Ignore();
        this.DeactivateOnIdle();
    }
}
