using Widgets.Common;
using Widgets.Sessions;

namespace Widgets.Catalogue;

/// <summary>
/// One merchant location (key: <see cref="Keys.LocationKey"/>): its widget catalogue, its registered terminals and its
/// settings. Which session a terminal shows is the terminal's own (<see cref="ITerminalGrain"/>).
/// </summary>
public interface ILocationGrain : IGrainWithStringKey
{
    /// <summary>
    /// The widgets live now, for one context or all, counted as listed on <paramref name="terminalId"/>; served from
    /// memory. Gateways do not call it per request: they keep the lists by <see cref="WatchListings"/>.
    /// </summary>
    [ReadOnly]
    Task<WidgetListing> ListWidgets(WidgetContext? context, string? terminalId);

    /// <summary>How long a <see cref="WatchListings"/> subscription lasts unless renewed.</summary>
    public static readonly TimeSpan ListingsWatchLifetime = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The lists now, and every change of them pushed to <paramref name="observer"/> until it stops watching or lets
    /// the subscription lapse. Does not count as listing (the watcher counts what it serves).
    /// </summary>
    Task<LiveListings> WatchListings(IListingsObserver observer);

    Task StopWatchingListings(IListingsObserver observer);

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

    /// <summary>Applies <paramref name="change"/> (fields left out keep their value); nothing changes when it is invalid.</summary>
    Task<Outcome<LocationSettings>> UpdateSettings(LocationSettingsChange change);

    /// <summary>The registered terminals, each with the session it shows now (asked of each terminal).</summary>
    [ReadOnly]
    Task<IReadOnlyList<Terminal>> GetTerminals();

    /// <summary>A registered terminal with the session it shows now; null when it is not registered.</summary>
    [ReadOnly]
    Task<Terminal?> GetTerminal(string terminalId);

    Task<Terminal> PutTerminal(string terminalId, string? name);

    /// <summary>Deletes a terminal; its session ends as superseded before this returns.</summary>
    Task<bool> RemoveTerminal(string terminalId);

    /// <summary>
    /// Whether a session of <paramref name="widgetId"/> may start on <paramref name="terminalId"/> now (the terminal is
    /// registered, the widget live) and what it needs to run: answered from memory. Always interleaved: a start never
    /// waits behind a catalogue write, and a terminal's start in flight never deadlocks with that terminal's deletion
    /// (which waits for the terminal).
    /// </summary>
    [AlwaysInterleave]
    Task<Outcome<StartTicket>> PrepareStart(string terminalId, int widgetId);

    /// <summary>
    /// The coupon codes of a widget as the catalogue holds them, for a ledger that has none yet (a widget saved by an
    /// earlier build, before ledgers owned their pool); null when there is no such widget. Always interleaved: the
    /// ledger may ask while this location waits for that ledger.
    /// </summary>
    [AlwaysInterleave]
    Task<CouponPool?> GetCouponPool(int widgetId);
}
