using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Widgets.Analytics;
using Widgets.Catalogue;
using Widgets.Common;
using Widgets.Keys;
using Widgets.Sessions;

namespace Widgets.Grains.Catalogue;

public sealed class LocationGrain(
    [PersistentState("location", WidgetsStorage.Name)] IPersistentState<LocationState> state,
    IOptions<SessionOptions> options,
    TimeProvider clock,
    ILogger<LocationGrain> logger) : Grain, ILocationGrain
{
    private readonly Dictionary<(int WidgetId, string TerminalId), long> pendingListed = [];
    private readonly HashSet<string> watchedTerminals = new(StringComparer.Ordinal);
    private LiveCatalogue? live;
    private IGrainTimer? flushTimer;

    private LocationKey Key => LocationKey.Parse(this.GetPrimaryKeyString());

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var every = options.Value.StatsFlushInterval;
        flushTimer = this.RegisterGrainTimer(FlushListedCounts, every, every);
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        flushTimer?.Dispose();
        await FlushListedCounts(cancellationToken);
        if (state.RecordExists)
        {
            // The terminals' active sessions change on every start; they are written here rather than per start.
            await state.WriteStateAsync(cancellationToken);
        }
    }

    public Task<WidgetListing> ListWidgets(WidgetContext? context, string? terminalId)
    {
        var now = clock.GetUtcNow();
        if (live is null || now >= live.ValidUntil)
        {
            live = LiveCatalogue.Build(state.State.Widgets.Values, now);
        }

        var listing = live.For(context);
        var terminal = terminalId ?? "";
        foreach (var widget in listing.Widgets)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(pendingListed, (widget.Id, terminal), out _)++;
        }

        return Task.FromResult(listing);
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

    public async Task<Outcome<LocationSettings>> UpdateSettings(LocationSettings settings)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(settings.TimeZone, out _))
        {
            errors["timeZone"] = ["Use an IANA time zone id such as America/New_York."];
        }

        if (settings.Name is { Length: > 200 })
        {
            errors["name"] = ["At most 200 characters."];
        }

        if (errors.Count > 0)
        {
            return Outcome<LocationSettings>.Invalid(errors);
        }

        state.State.Settings = settings;
        await state.WriteStateAsync();
        return Outcome<LocationSettings>.Ok(settings);
    }

    public Task<IReadOnlyList<Terminal>> GetTerminals() =>
        Task.FromResult<IReadOnlyList<Terminal>>(state.State.Terminals.Values.OrderBy(t => t.TerminalId, StringComparer.Ordinal).ToList());

    public Task<Terminal?> GetTerminal(string terminalId) =>
        Task.FromResult(state.State.Terminals.GetValueOrDefault(terminalId));

    public async Task<Terminal> PutTerminal(string terminalId, string? name)
    {
        var terminal = state.State.Terminals.TryGetValue(terminalId, out var existing)
            ? existing with { Name = name }
            : new Terminal { TerminalId = terminalId, Name = name, RegisteredAt = clock.GetUtcNow() };
        state.State.Terminals[terminalId] = terminal;
        await state.WriteStateAsync();
        return terminal;
    }

    public async Task<bool> RemoveTerminal(string terminalId)
    {
        if (!state.State.Terminals.Remove(terminalId, out var removed))
        {
            return false;
        }

        await state.WriteStateAsync();
        if (removed.ActiveSessionId is { } sessionId)
        {
            await GrainFactory.Grain<IWidgetSessionGrain>(sessionId).Supersede();
        }

        return true;
    }

    public async Task<Outcome<SessionStarted>> StartSession(string terminalId, int widgetId, string? couponId, IdempotentStart? idempotency = null)
    {
        if (idempotency is not null
            && await GrainFactory.Grain<IWidgetSessionGrain>(idempotency.SessionId).ReplayStart(idempotency.Fingerprint) is { } replayed)
        {
            return replayed;
        }

        if (!state.State.Terminals.TryGetValue(terminalId, out var terminal))
        {
            return Outcome<SessionStarted>.Fail(DomainError.TerminalNotFound,
                $"Terminal '{terminalId}' is not registered at this location; register it under /terminals first.");
        }

        if (!state.State.Widgets.TryGetValue(widgetId, out var widget) || !widget.IsLiveAt(clock.GetUtcNow()))
        {
            return Outcome<SessionStarted>.Fail(DomainError.WidgetNotFound,
                $"Widget {widgetId} is not active at this location; list the widgets again.");
        }

        var sessionId = idempotency?.SessionId ?? Guid.NewGuid().ToString("N");
        var started = await GrainFactory.Grain<IWidgetSessionGrain>(sessionId)
            .Start(new SessionStartInfo(Key, terminalId, widget, couponId, idempotency?.Fingerprint, state.State.Settings.TimeZone,
                watchedTerminals.Contains(terminalId)));
        if (!started.IsSuccess)
        {
            return started;
        }

        state.State.Terminals[terminalId] = terminal with { ActiveSessionId = sessionId };
        if (terminal.ActiveSessionId is { } previous && previous != sessionId)
        {
            // Not awaited: the terminal already points at the new session, and waiting for the old one's writes
            // would hold up every other start at this location.
            GrainFactory.Grain<IWidgetSessionGrain>(previous).Supersede().Ignore();
        }

        return started;
    }

    public async Task SetTerminalWatched(string terminalId, bool watched)
    {
        if (!watched)
        {
            watchedTerminals.Remove(terminalId);
        }
        else if (state.State.Terminals.TryGetValue(terminalId, out var terminal) && watchedTerminals.Add(terminalId)
            && terminal.ActiveSessionId is { } sessionId)
        {
            // Awaited so that when the screen's subscription returns, the session on screen already publishes.
            try
            {
                await GrainFactory.Grain<IWidgetSessionGrain>(sessionId).WatchFeed();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Session {SessionId} on {Location}/{TerminalId} could not be told a screen listens", sessionId, Key, terminalId);
            }
        }
    }

    public Task OnSessionEnded(string terminalId, string sessionId)
    {
        if (state.State.Terminals.TryGetValue(terminalId, out var terminal) && terminal.ActiveSessionId == sessionId)
        {
            state.State.Terminals[terminalId] = terminal with { ActiveSessionId = null };
        }

        return Task.CompletedTask;
    }

    private async Task SaveWidget(WidgetDefinition widget)
    {
        state.State.Widgets[widget.Id] = widget;
        await state.WriteStateAsync();
        live = null;
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
