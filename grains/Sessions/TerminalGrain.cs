using Microsoft.Extensions.Logging;
using Orleans.Utilities;
using Widgets.Catalogue;
using Widgets.Common;
using Widgets.Keys;
using Widgets.Sessions;

namespace Widgets.Grains.Sessions;

[GenerateSerializer, Alias("Widgets.TerminalState")]
public sealed class TerminalState
{
    /// <summary>The session the terminal showed last; it may have ended since (ends are not stored here).</summary>
    [Id(0)] public string? ActiveSessionId { get; set; }

    /// <summary>The session the last start superseded: superseding is not awaited, so a new activation repeats it.</summary>
    [Id(1)] public string? Superseding { get; set; }

    /// <summary>The generation of the terminal's screen links; links of an earlier generation were revoked.</summary>
    [Id(2)] public int ScreenGeneration { get; set; }
}

/// <summary>
/// One terminal's live side: which session it shows, the supersede rule, and its screen feed. A start is serialised
/// here, per terminal, so the location answers it from memory and never holds its turn across a session's writes.
/// </summary>
public sealed class TerminalGrain(
    [PersistentState("terminal", WidgetsStorage.Name)] IPersistentState<TerminalState> state,
    ILogger<TerminalGrain> logger,
    TimeProvider clock) : Grain, ITerminalGrain
{
    private readonly ObserverManager<ITerminalObserver> observers = new(ITerminalFeedGrain.SubscriptionLifetime, logger);

    /// <summary>
    /// The stored session has ended and the terminal shows idle. Kept in memory only: storing it would add a write
    /// to every session; a new activation asks the session instead.
    /// </summary>
    private bool activeEnded;

    private string? Active => activeEnded ? null : state.State.ActiveSessionId;

    private (LocationKey Location, string TerminalId) Key => GrainKeys.ParseTerminal(this.GetPrimaryKeyString());

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Which silo holds a terminal's feed: an operator (or a fault test) following a screen through a failover.
        logger.LogDebug("Terminal {Terminal} activated", this.GetPrimaryKeyString());
        if (state.State.Superseding is { } superseded)
        {
            Session(superseded).Supersede().Ignore();
        }

        if (state.State.ActiveSessionId is { } sessionId)
        {
            try
            {
                activeEnded = await Session(sessionId).GetScreen() is not { State: SessionState.Active };
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Assume it still runs: it tells this terminal when it ends.
                logger.LogWarning(ex, "Terminal {Terminal} could not ask session {SessionId} whether it still runs", this.GetPrimaryKeyString(), sessionId);
            }
        }
    }

    public async Task<Outcome<SessionStarted>> StartSession(int widgetId, string? couponId, IdempotentStart? idempotency = null)
    {
        if (idempotency is not null && await Session(idempotency.SessionId).ReplayStart(idempotency.Fingerprint) is { } replayed)
        {
            return replayed;
        }

        var (location, terminalId) = Key;
        var ticket = await GrainFactory.Grain<ILocationGrain>(location.ToString()).PrepareStart(terminalId, widgetId);
        if (!ticket.IsSuccess)
        {
            if (ticket.Error == DomainError.TerminalNotFound && !state.RecordExists && observers.Count == 0)
            {
                // A made-up terminal id costs no lasting activation.
                this.DeactivateOnIdle();
            }

            return ticket.Cast<SessionStarted>();
        }

        var sessionId = idempotency?.SessionId ?? Guid.NewGuid().ToString("N");
        var (widget, timeZone) = (ticket.Value!.Widget, ticket.Value.TimeZone);
        var started = await Session(sessionId).Start(
            new SessionStartInfo(location, terminalId, widget, couponId, idempotency?.Fingerprint, timeZone, FeedWatched: observers.Count > 0));
        var previous = Active;
        if (!started.IsSuccess || previous == sessionId)
        {
            return started;
        }

        // Stored before the answer, so the terminal still shows this session after a crash; the previous one is
        // superseded without waiting for it, so one slow session never holds up this lane's next start.
        state.State.ActiveSessionId = sessionId;
        state.State.Superseding = previous;
        activeEnded = false;
        await state.WriteStateAsync();
        if (previous is not null)
        {
            Session(previous).Supersede().Ignore();
        }

        return started;
    }

    public Task<string?> GetActiveSessionId() => Task.FromResult(Active);

    public async Task<ScreenView?> GetScreen() => Active is { } sessionId ? await Session(sessionId).GetScreen() : null;

    public Task<int> GetScreenGeneration() => Task.FromResult(state.State.ScreenGeneration);

    public async Task<int> RevokeScreen()
    {
        state.State.ScreenGeneration++;
        await state.WriteStateAsync();
        var now = clock.GetUtcNow();
        observers.Notify(o => o.OnEvent(new TerminalEvent(TerminalEventTypes.ScreenRevoked, "", 0, SessionState.Active, now, now, state.State.ScreenGeneration)));
        return state.State.ScreenGeneration;
    }

    public async Task Retire()
    {
        if (Active is { } sessionId)
        {
            await Session(sessionId).Supersede();
        }

        activeEnded = false;

        // The screen generation outlives the registration: a terminal registered again under the same id must not
        // bring back the screen links of its earlier life.
        state.State = new TerminalState { ScreenGeneration = state.State.ScreenGeneration };
        await RevokeScreen();
    }

    public Task OnSessionEnded(string sessionId)
    {
        if (sessionId == state.State.ActiveSessionId)
        {
            activeEnded = true;
        }

        return Task.CompletedTask;
    }

    public async Task Subscribe(ITerminalObserver observer)
    {
        observers.Subscribe(observer, observer);

        // Awaited, so that when the screen's subscription returns, the session on screen already publishes to it.
        if (Active is { } sessionId)
        {
            try
            {
                await Session(sessionId).WatchFeed();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Session {SessionId} on terminal {Terminal} could not be told a screen listens", sessionId, this.GetPrimaryKeyString());
            }
        }
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

    private IWidgetSessionGrain Session(string sessionId) => GrainFactory.Grain<IWidgetSessionGrain>(sessionId);
}
