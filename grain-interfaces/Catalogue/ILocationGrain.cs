using Widgets.Common;
using Widgets.Sessions;

namespace Widgets.Catalogue;

/// <summary>One merchant location (key: <see cref="Keys.LocationKey"/>): its widget catalogue, its terminals and which session each terminal shows.</summary>
public interface ILocationGrain : IGrainWithStringKey
{
    /// <summary>The widgets live now, for one context or all; served from memory.</summary>
    [ReadOnly]
    Task<WidgetListing> ListWidgets(WidgetContext? context, string? terminalId);

    [ReadOnly]
    Task<IReadOnlyList<WidgetDefinition>> GetWidgets();

    [ReadOnly]
    Task<WidgetDefinition?> GetWidget(int widgetId);

    Task<Outcome<WidgetDefinition>> CreateWidget(WidgetDraft draft);

    /// <summary>Replaces a widget; with <paramref name="expectedVersion"/> set, fails if someone changed it meanwhile.</summary>
    Task<Outcome<WidgetDefinition>> ReplaceWidget(int widgetId, WidgetDraft draft, int? expectedVersion);

    /// <summary>Archives a widget: it leaves the list but its sessions and stats stay readable.</summary>
    Task<Outcome<WidgetDefinition>> ArchiveWidget(int widgetId);

    [ReadOnly]
    Task<LocationSettings> GetSettings();

    Task<Outcome<LocationSettings>> UpdateSettings(LocationSettings settings);

    [ReadOnly]
    Task<IReadOnlyList<Terminal>> GetTerminals();

    [ReadOnly]
    Task<Terminal?> GetTerminal(string terminalId);

    Task<Terminal> PutTerminal(string terminalId, string? name);

    Task<bool> RemoveTerminal(string terminalId);

    /// <summary>
    /// Starts a session of a live widget on a registered terminal, superseding the terminal's current one. With
    /// <paramref name="idempotency"/>, the session id is derived from the key, so a retry finds the first session.
    /// </summary>
    Task<Outcome<SessionStarted>> StartSession(string terminalId, int widgetId, string? couponId, IdempotentStart? idempotency = null);

    /// <summary>
    /// The terminal's event feed gained or lost its last listener. Sessions publish events only to watched
    /// terminals, so a lane without a screen listening costs no feed activation.
    /// </summary>
    Task SetTerminalWatched(string terminalId, bool watched);

    /// <summary>A session tells its location it ended, so the terminal shows idle.</summary>
    [OneWay]
    Task OnSessionEnded(string terminalId, string sessionId);
}
