using Widgets.Analytics;
using Widgets.Keys;
using Widgets.Sessions;

namespace Widgets.Grains.Journal;

/// <summary>
/// One session's line in the funnel, written whole (an UPSERT keyed by the session id): writing it again, or after a
/// crash, counts nothing twice. Every step counts on the UTC day the session started. The contact columns hold
/// <see cref="Consent.ContactHash"/> values, so a person's sessions can be found by email or phone without the
/// journal holding either.
/// </summary>
public sealed record FunnelRow(
    string SessionId,
    LocationKey Location,
    DateOnly StartDay,
    int WidgetId,
    string TerminalId,
    DateTimeOffset StartedAt,
    bool QrShown,
    int MessagesSent,
    bool Scanned,
    bool Converted,
    SessionState State,
    DateTimeOffset? EndedAt,
    string? EmailHash,
    string? PhoneHash)
{
    /// <summary>How a session state is stored in the journal: as the POS API names it.</summary>
    public static string StateName(SessionState state) => state switch
    {
        SessionState.Active => "active",
        SessionState.Completed => "completed",
        SessionState.TimedOut => "timedOut",
        SessionState.Cancelled => "cancelled",
        SessionState.Superseded => "superseded",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };
}

/// <summary>
/// Where the journal lives: the funnel rows and the conversions, in the mode's database (SQLite embedded, PostgreSQL in
/// cluster mode). Implementations are in <c>silo/Hosting/Storage</c>; SQLite writes pass the write gate.
/// </summary>
public interface IJournalStore
{
    /// <summary>Stores each row whole (insert or replace), all in one transaction.</summary>
    Task UpsertFunnelRows(IReadOnlyCollection<FunnelRow> rows, CancellationToken cancellationToken);

    /// <summary>The funnel counters of the sessions that started at <paramref name="location"/> on <paramref name="startDay"/>, per widget and terminal.</summary>
    Task<IReadOnlyList<CounterRow>> CountFunnel(LocationKey location, DateOnly startDay, CancellationToken cancellationToken);

    /// <summary>Stores a conversion unless its session already has one (a retry appends nothing).</summary>
    Task AppendConversion(LocationKey location, ConversionRecord record, CancellationToken cancellationToken);

    /// <summary>The conversions at <paramref name="location"/> on UTC day <paramref name="day"/>, oldest first.</summary>
    Task<IReadOnlyList<ConversionRecord>> ListConversions(LocationKey location, DateOnly day, CancellationToken cancellationToken);
}
