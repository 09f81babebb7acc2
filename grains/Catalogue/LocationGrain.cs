using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Utilities;
using Widgets.Analytics;
using Widgets.Catalogue;
using Widgets.Common;
using Widgets.Keys;
using Widgets.Privacy;
using Widgets.Sessions;

namespace Widgets.Grains.Catalogue;

public sealed class LocationGrain(
    [PersistentState("location", WidgetsStorage.Name)] IPersistentState<LocationState> state,
    IOptions<SessionOptions> options,
    TimeProvider clock,
    ILogger<LocationGrain> logger) : Grain, ILocationGrain
{
    private readonly Dictionary<(int WidgetId, string TerminalId), long> pendingListed = [];

    /// <summary>What a session keeps of each widget, built once per widget version and shared by its sessions.</summary>
    private readonly Dictionary<int, SessionWidget> sessionWidgets = [];
    /// <summary>Gateways holding this location's lists in memory (they answer widgets/list without calling here).</summary>
    private readonly ObserverManager<IListingsObserver> watchers = new(ILocationGrain.ListingsWatchLifetime, logger);
    private LiveListings? live;
    private long revision;
    private IGrainTimer? flushTimer;
    private bool retentionScheduled;

    private IGrainTimer? boundaryTimer;

    private static readonly TimeSpan MaxTimerDue = TimeSpan.FromDays(30);

    /// <summary>How long a catalogue write waits for the watching gateways to take the new lists.</summary>
    private static readonly TimeSpan PushWait = TimeSpan.FromSeconds(1);

    private LocationKey Key => LocationKey.Parse(this.GetPrimaryKeyString());

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var every = options.Value.StatsFlushInterval;
        flushTimer = this.RegisterGrainTimer(FlushListedCounts, every, every);
        if (state.RecordExists)
        {
            ScheduleRetention();
        }

        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        flushTimer?.Dispose();
        await FlushListedCounts(cancellationToken);
    }

    public Task<WidgetListing> ListWidgets(WidgetContext? context, string? terminalId)
    {
        var listing = Live().For(context);
        var terminal = terminalId ?? "";
        foreach (var widget in listing.Widgets)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(pendingListed, (widget.Id, terminal), out _)++;
        }

        return Task.FromResult(listing);
    }

    public Task<LiveListings> WatchListings(IListingsObserver observer)
    {
        watchers.Subscribe(observer, observer);
        return Task.FromResult(Live());
    }

    public Task StopWatchingListings(IListingsObserver observer)
    {
        watchers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<WidgetDefinition>> GetWidgets() =>
        Task.FromResult<IReadOnlyList<WidgetDefinition>>(state.State.Widgets.Values.OrderBy(w => w.Id).ToList());

    public Task<WidgetDefinition?> GetWidget(int widgetId) =>
        Task.FromResult(state.State.Widgets.GetValueOrDefault(widgetId));

    public async Task<Outcome<WidgetDefinition>> CreateWidget(WidgetDraft draft)
    {
        var id = state.State.NextWidgetId;
        var (widget, errors) = WidgetValidator.Validate(draft, id, 1, clock.GetUtcNow(), options.Value);
        if (widget is null)
        {
            return Outcome<WidgetDefinition>.Invalid(errors);
        }

        state.State.NextWidgetId = id + 1;
        await SaveWidget(widget);
        logger.LogInformation("Widget {WidgetId} ({WidgetType}) created at {Location}", id, widget.Type, Key);
        return Outcome<WidgetDefinition>.Ok(widget);
    }

    public async Task<Outcome<WidgetDefinition>> ReplaceWidget(int widgetId, WidgetDraft draft, int? expectedVersion)
    {
        if (!state.State.Widgets.TryGetValue(widgetId, out var current))
        {
            return Outcome<WidgetDefinition>.Fail(DomainError.WidgetNotFound, $"Widget {widgetId} does not exist at this location.");
        }

        if (expectedVersion is { } expected && expected != current.Version)
        {
            return Outcome<WidgetDefinition>.Fail(DomainError.VersionMismatch,
                $"Widget {widgetId} changed since you read it (version {current.Version}); GET it again and reapply your change.");
        }

        var (widget, errors) = WidgetValidator.Validate(draft, widgetId, current.Version + 1, clock.GetUtcNow(), options.Value);
        if (widget is null)
        {
            return Outcome<WidgetDefinition>.Invalid(errors);
        }

        await SaveWidget(widget);
        return Outcome<WidgetDefinition>.Ok(widget);
    }

    public async Task<Outcome<WidgetDefinition>> ArchiveWidget(int widgetId)
    {
        if (!state.State.Widgets.TryGetValue(widgetId, out var current))
        {
            return Outcome<WidgetDefinition>.Fail(DomainError.WidgetNotFound, $"Widget {widgetId} does not exist at this location.");
        }

        if (current.Status == WidgetStatus.Archived)
        {
            return Outcome<WidgetDefinition>.Ok(current);
        }

        var archived = current with { Status = WidgetStatus.Archived, Version = current.Version + 1, UpdatedAt = clock.GetUtcNow() };
        await SaveWidget(archived);
        return Outcome<WidgetDefinition>.Ok(archived);
    }

    public Task<LocationSettings> GetSettings() => Task.FromResult(state.State.Settings);

    public async Task<Outcome<LocationSettings>> UpdateSettings(LocationSettingsChange change)
    {
        var settings = change.AppliedTo(state.State.Settings);
        var errors = LocationSettingsRules.Check(settings);
        if (errors.Count > 0)
        {
            return Outcome<LocationSettings>.Invalid(errors);
        }

        state.State.Settings = settings;
        await state.WriteStateAsync();
        ScheduleRetention();
        return Outcome<LocationSettings>.Ok(settings);
    }

    public async Task<IReadOnlyList<Terminal>> GetTerminals() =>
        await Task.WhenAll(state.State.Terminals.Values.OrderBy(t => t.TerminalId, StringComparer.Ordinal).Select(WithActiveSession));

    public async Task<Terminal?> GetTerminal(string terminalId) =>
        state.State.Terminals.TryGetValue(terminalId, out var terminal) ? await WithActiveSession(terminal) : null;

    public async Task<Terminal> PutTerminal(string terminalId, string? name)
    {
        // The active session is the terminal grain's; a value stored here by an earlier build is dropped.
        var terminal = state.State.Terminals.TryGetValue(terminalId, out var existing)
            ? existing with { Name = name, ActiveSessionId = null }
            : new Terminal { TerminalId = terminalId, Name = name, RegisteredAt = clock.GetUtcNow() };
        state.State.Terminals[terminalId] = terminal;
        await state.WriteStateAsync();
        return await WithActiveSession(terminal);
    }

    public async Task<bool> RemoveTerminal(string terminalId)
    {
        if (!state.State.Terminals.Remove(terminalId))
        {
            return false;
        }

        await state.WriteStateAsync();

        // A start on this terminal still in flight asks PrepareStart, which interleaves and now refuses it.
        await Terminal(terminalId).Retire();
        return true;
    }

    public Task<Outcome<StartTicket>> PrepareStart(string terminalId, int widgetId)
    {
        if (!state.State.Terminals.ContainsKey(terminalId))
        {
            return Task.FromResult(Outcome<StartTicket>.Fail(DomainError.TerminalNotFound,
                $"Terminal '{terminalId}' is not registered at this location; register it under /terminals first."));
        }

        if (!state.State.Widgets.TryGetValue(widgetId, out var widget) || !widget.IsLiveAt(clock.GetUtcNow()))
        {
            return Task.FromResult(Outcome<StartTicket>.Fail(DomainError.WidgetNotFound,
                $"Widget {widgetId} is not active at this location; list the widgets again."));
        }

        if (!sessionWidgets.TryGetValue(widgetId, out var snapshot))
        {
            snapshot = SessionWidget.From(widget);
            sessionWidgets[widgetId] = snapshot;
        }

        return Task.FromResult(Outcome<StartTicket>.Ok(new StartTicket(snapshot, state.State.Settings.TimeZone)));
    }

    public Task<CouponPool?> GetCouponPool(int widgetId) =>
        Task.FromResult(state.State.Widgets.TryGetValue(widgetId, out var widget) ? PoolOf(widget) : null);

    private async Task<Terminal> WithActiveSession(Terminal terminal) =>
        terminal with { ActiveSessionId = await Terminal(terminal.TerminalId).GetActiveSessionId() };

    private ITerminalGrain Terminal(string terminalId) => GrainFactory.Grain<ITerminalGrain>(GrainKeys.Terminal(Key, terminalId));

    private static CouponPool PoolOf(WidgetDefinition widget) => new(widget.Version, widget.Settings.CouponCodes, widget.Settings.CouponPrefix);

    private async Task SaveWidget(WidgetDefinition widget)
    {
        if (widget.Type == WidgetType.CouponDelivery)
        {
            // The ledger owns the pool (sessions keep none); handed over first, so no live widget lacks its codes.
            await GrainFactory.Grain<IWidgetLedgerGrain>(GrainKeys.Widget(Key, widget.Id)).SetCouponPool(PoolOf(widget));
        }

        // Before the write: a start interleaves with it (PrepareStart) and must not get the old version's snapshot.
        state.State.Widgets[widget.Id] = widget;
        sessionWidgets.Remove(widget.Id);
        await state.WriteStateAsync();
        live = null;
        ScheduleRetention();
        await PushListings();
    }

    /// <summary>The lists live now, rebuilt when the catalogue changed or a schedule boundary passed.</summary>
    private LiveListings Live()
    {
        var now = clock.GetUtcNow();
        if (live is null || now >= live.ValidUntil)
        {
            // Increasing within this activation, and across activations as far as the silos' clocks agree.
            revision = Math.Max(revision + 1, now.UtcTicks);
            live = LiveCatalogue.Build(state.State.Widgets.Values, now, revision);
            WakeAtBoundary(live.ValidUntil - now);
        }

        return live;
    }

    /// <summary>
    /// Sends the current lists to every watching gateway (a catalogue write or a schedule boundary changed them) and
    /// waits for them, at most <see cref="PushWait"/>: a write answered to an operator is then already in every
    /// reachable gateway's copy, so a list right after it (on any gateway) shows it. A gateway that does not answer in
    /// time is not waited for; its renewal brings it up to date.
    /// </summary>
    private async Task PushListings()
    {
        if (watchers.Count == 0)
        {
            return;
        }

        var listings = Live();
        var location = this.GetPrimaryKeyString();
        var deliveries = watchers.ToList().Select(async watcher =>
        {
            try
            {
                await watcher.ListingsChanged(location, listings);
            }
            catch (Exception ex)
            {
                // A gateway that went away: it stops being pushed to; a live one subscribes again at its renewal.
                logger.LogDebug("Pushing lists of {Location} to a gateway failed with {ErrorType}; it is dropped", location, ex.GetType().Name);
                watchers.Unsubscribe(watcher);
            }
        }).ToList();

        try
        {
            await Task.WhenAll(deliveries).WaitAsync(PushWait, clock);
        }
        catch (TimeoutException)
        {
            logger.LogWarning("A gateway took longer than {Seconds} s to take the lists of {Location}; not waiting for it", PushWait.TotalSeconds, location);
        }
    }

    /// <summary>
    /// A widget's window opening or closing changes the lists with no write: rebuild and push them then, so watching
    /// gateways change within a moment of the boundary, not at their next renewal.
    /// </summary>
    private void WakeAtBoundary(TimeSpan due)
    {
        boundaryTimer?.Dispose();
        boundaryTimer = null;
        if (due <= TimeSpan.Zero || due > MaxTimerDue)
        {
            // Beyond the timer's range (no boundary: MaxValue): the next rebuild or renewal looks again.
            return;
        }

        boundaryTimer = this.RegisterGrainTimer(_ =>
        {
            live = null;
            return PushListings();
        }, due, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Makes sure the location's retention reminder exists once the location holds anything (its first widget or
    /// settings; sessions need a widget): asked once per activation, not awaited, since the reminder is checked
    /// again by the next activation if this call is lost.
    /// </summary>
    private void ScheduleRetention()
    {
        if (!retentionScheduled)
        {
            retentionScheduled = true;
            GrainFactory.Grain<IPrivacyGrain>(Key.ToString()).ScheduleRetention().Ignore();
        }
    }

    private Task FlushListedCounts(CancellationToken cancellationToken)
    {
        if (pendingListed.Count == 0)
        {
            return Task.CompletedTask;
        }

        var increments = pendingListed
            .Select(p => new CounterIncrement(p.Key.WidgetId, p.Key.TerminalId, WidgetCounter.Listed, p.Value))
            .ToList();
        pendingListed.Clear();
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        // Not awaited: counters are best effort, and waiting for the statistics grain's write would make this
        // location's list calls queue behind it.
        GrainFactory.Grain<IWidgetStatsGrain>(GrainKeys.LocationDay(Key, today)).Add(increments).Ignore();
        return Task.CompletedTask;
    }
}
