using Widgets.Analytics;
using Widgets.Keys;
using Widgets.Sessions;

namespace Widgets.Grains.Journal;

/// <summary>
/// One session's line in the funnel, written whole (an UPSERT keyed by the session id): writing it again, or after a
/// crash, counts nothing twice. Every step counts on the UTC day the session started. The contact columns hold
/// <see cref="Consent.ContactHash"/> values, so a person's sessions can be found by email or phone without the
/// journal holding either: <see cref="EmailHash"/> and <see cref="PhoneHash"/> the session's first of each (indexed),
/// <see cref="OtherContactHashes"/> every other one it holds (a second recipient, a profile that differs from the
/// message's address; null for almost every session). <see cref="PersonalData"/> says whether the session's own state
/// still holds contact details, which retention looks for (docs/DECISIONS.md "Personal data: erasure and retention").
/// <see cref="MessagesUnknown"/> counts the session's messages whose delivery is unknown (after a crash).
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
    string? PhoneHash,
    bool PersonalData = false,
    int MessagesUnknown = 0,
    IReadOnlyList<string>? OtherContactHashes = null)
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

    /// <summary>
    /// The sessions at <paramref name="location"/> whose funnel row (in any of its contact columns) or not yet erased
    /// conversion (in its email or phone column) carries one of <paramref name="contactHashes"/>
    /// (<see cref="Consent.ContactHash"/> values).
    /// </summary>
    Task<IReadOnlyList<string>> FindSessionsOf(LocationKey location, IReadOnlyCollection<string> contactHashes, CancellationToken cancellationToken);

    /// <summary>At most <paramref name="limit"/> sessions at <paramref name="location"/> that started before <paramref name="cutoff"/> and still hold personal data.</summary>
    Task<IReadOnlyList<string>> FindSessionsHeldBefore(LocationKey location, DateOnly cutoff, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Erases contact details and answers from the not yet erased conversions at <paramref name="location"/> of
    /// <paramref name="sessionIds"/> or carrying one of <paramref name="contactHashes"/>; returns how many it erased.
    /// </summary>
    Task<int> EraseConversionsOf(LocationKey location, IReadOnlyCollection<string> sessionIds, IReadOnlyCollection<string> contactHashes, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Erases at most <paramref name="limit"/> not yet erased conversions at <paramref name="location"/> of days before <paramref name="cutoff"/>; returns how many.</summary>
    Task<int> EraseConversionsBefore(LocationKey location, DateOnly cutoff, int limit, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Makes erased values unreadable in the database's files too, where the engine keeps old copies for a while
    /// (SQLite: the write-ahead log, checkpointed and truncated). A no-op where only the engine's own queries could
    /// reach them (PostgreSQL's dead tuples, reclaimed by autovacuum).
    /// </summary>
    Task ReclaimErasedSpace(CancellationToken cancellationToken);
}
