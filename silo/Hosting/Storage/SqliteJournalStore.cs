using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Widgets.Analytics;
using Widgets.Grains.Journal;
using Widgets.Keys;
using Widgets.Sessions;

namespace Widgets.Hosting.Storage;

/// <summary>
/// The session journal in the embedded SQLite database (tables from <c>deploy/sql/sqlite/0005_session_journal.sql</c>).
/// Writes pass the <see cref="SqliteWriteGate"/> like every other write to the file; reads need no gate (WAL).
/// </summary>
public sealed class SqliteJournalStore(string connectionString, SqliteWriteGate gate, IOptions<ClusterOptions> cluster) : IJournalStore
{
    private const string UpsertFunnel = """
        INSERT INTO WidgetSessionFunnel
            (ServiceId, SessionId, PosSystemId, LocationId, StartDay, WidgetId, TerminalId, StartedAt,
             QrShown, MessagesSent, Scanned, Converted, State, EndedAt, EmailHash, PhoneHash, PersonalData,
             MessagesUnknown, OtherContactHashes)
        VALUES ($service, $session, $pos, $location, $day, $widget, $terminal, $startedAt,
                $qr, $sent, $scanned, $converted, $state, $endedAt, $email, $phone, $personal, $unknown, $others)
        ON CONFLICT (ServiceId, SessionId) DO UPDATE SET
            QrShown = excluded.QrShown, MessagesSent = excluded.MessagesSent, Scanned = excluded.Scanned,
            Converted = excluded.Converted, State = excluded.State, EndedAt = excluded.EndedAt,
            EmailHash = excluded.EmailHash, PhoneHash = excluded.PhoneHash, PersonalData = excluded.PersonalData,
            MessagesUnknown = excluded.MessagesUnknown, OtherContactHashes = excluded.OtherContactHashes
        """;

    private const string CountFunnelQuery = """
        SELECT WidgetId, TerminalId, COUNT(*), SUM(QrShown), SUM(MessagesSent), SUM(Scanned), SUM(Converted),
               SUM(State = 'timedOut'), SUM(State = 'cancelled'), SUM(MessagesUnknown)
        FROM WidgetSessionFunnel
        WHERE ServiceId = $service AND PosSystemId = $pos AND LocationId = $location AND StartDay = $day
        GROUP BY WidgetId, TerminalId
        """;

    private const string InsertConversion = """
        INSERT INTO WidgetConversions (ServiceId, SessionId, PosSystemId, LocationId, Day, At, WidgetId, EmailHash, PhoneHash, Record)
        VALUES ($service, $session, $pos, $location, $day, $at, $widget, $email, $phone, $record)
        ON CONFLICT (ServiceId, SessionId) DO NOTHING
        """;

    private const string ListConversionsQuery = """
        SELECT Record FROM WidgetConversions
        WHERE ServiceId = $service AND PosSystemId = $pos AND LocationId = $location AND Day = $day
        ORDER BY At, SessionId
        """;

    // Hash and id lists are bound as one JSON array each ($hashes, $sessions) and read with json_each; so is a row's
    // OtherContactHashes stored.
    private const string FindSessionsOfQuery = """
        SELECT SessionId FROM WidgetSessionFunnel
        WHERE ServiceId = $service AND PosSystemId = $pos AND LocationId = $location
          AND (EmailHash IN (SELECT value FROM json_each($hashes)) OR PhoneHash IN (SELECT value FROM json_each($hashes)))
        UNION
        SELECT SessionId FROM WidgetSessionFunnel
        WHERE ServiceId = $service AND PosSystemId = $pos AND LocationId = $location AND OtherContactHashes IS NOT NULL
          AND EXISTS (SELECT 1 FROM json_each(OtherContactHashes) WHERE value IN (SELECT value FROM json_each($hashes)))
        UNION
        SELECT SessionId FROM WidgetConversions
        WHERE ServiceId = $service AND PosSystemId = $pos AND LocationId = $location AND ErasedAt IS NULL
          AND (EmailHash IN (SELECT value FROM json_each($hashes)) OR PhoneHash IN (SELECT value FROM json_each($hashes)))
        """;

    private const string FindSessionsHeldBeforeQuery = """
        SELECT SessionId FROM WidgetSessionFunnel
        WHERE ServiceId = $service AND PosSystemId = $pos AND LocationId = $location AND StartDay < $day AND PersonalData = 1
        ORDER BY StartDay, SessionId
        LIMIT $limit
        """;

    private const string ConversionsOfQuery = """
        SELECT SessionId, Record FROM WidgetConversions
        WHERE ServiceId = $service AND PosSystemId = $pos AND LocationId = $location AND ErasedAt IS NULL
          AND (SessionId IN (SELECT value FROM json_each($sessions))
               OR EmailHash IN (SELECT value FROM json_each($hashes)) OR PhoneHash IN (SELECT value FROM json_each($hashes)))
        """;

    private const string ConversionsBeforeQuery = """
        SELECT SessionId, Record FROM WidgetConversions
        WHERE ServiceId = $service AND PosSystemId = $pos AND LocationId = $location AND Day < $day AND ErasedAt IS NULL
        ORDER BY Day, SessionId
        LIMIT $limit
        """;

    private const string EraseConversion = """
        UPDATE WidgetConversions SET Record = $record, EmailHash = NULL, PhoneHash = NULL, ErasedAt = $at
        WHERE ServiceId = $service AND SessionId = $session
        """;

    private string ServiceId => cluster.Value.ServiceId;

    public Task UpsertFunnelRows(IReadOnlyCollection<FunnelRow> rows, CancellationToken cancellationToken) => gate.Run(async () =>
    {
        await using var db = await OpenAsync(cancellationToken);
        await using var transaction = db.BeginTransaction();
        await using var command = db.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = UpsertFunnel;
        var p = Parameters(command, "$service", "$session", "$pos", "$location", "$day", "$widget", "$terminal", "$startedAt",
            "$qr", "$sent", "$scanned", "$converted", "$state", "$endedAt", "$email", "$phone", "$personal", "$unknown", "$others");
        p[0].Value = ServiceId;
        foreach (var row in rows)
        {
            p[1].Value = row.SessionId;
            p[2].Value = row.Location.PosSystemId;
            p[3].Value = row.Location.LocationId;
            p[4].Value = Day(row.StartDay);
            p[5].Value = row.WidgetId;
            p[6].Value = row.TerminalId;
            p[7].Value = Instant(row.StartedAt);
            p[8].Value = row.QrShown;
            p[9].Value = row.MessagesSent;
            p[10].Value = row.Scanned;
            p[11].Value = row.Converted;
            p[12].Value = FunnelRow.StateName(row.State);
            p[13].Value = row.EndedAt is { } ended ? Instant(ended) : DBNull.Value;
            p[14].Value = (object?)row.EmailHash ?? DBNull.Value;
            p[15].Value = (object?)row.PhoneHash ?? DBNull.Value;
            p[16].Value = row.PersonalData;
            p[17].Value = row.MessagesUnknown;
            p[18].Value = row.OtherContactHashes is { Count: > 0 } others ? JsonSerializer.Serialize(others) : DBNull.Value;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    });

    public async Task<IReadOnlyList<CounterRow>> CountFunnel(LocationKey location, DateOnly startDay, CancellationToken cancellationToken)
    {
        await using var db = new SqliteConnection(connectionString);
        await db.OpenAsync(cancellationToken);
        await using var command = db.CreateCommand();
        command.CommandText = CountFunnelQuery;
        Bind(command, location, startDay);
        var rows = new List<CounterRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(Counters(reader.GetInt32(0), reader.GetString(1), i => reader.GetInt64(i + 2)));
        }

        return rows;
    }

    public Task AppendConversion(LocationKey location, ConversionRecord record, CancellationToken cancellationToken) => gate.Run(async () =>
    {
        await using var db = await OpenAsync(cancellationToken);
        await using var command = db.CreateCommand();
        command.CommandText = InsertConversion;
        Bind(command, location, DateOnly.FromDateTime(record.At.UtcDateTime));
        command.Parameters.AddWithValue("$session", record.SessionId);
        command.Parameters.AddWithValue("$at", Instant(record.At));
        command.Parameters.AddWithValue("$widget", record.WidgetId);
        command.Parameters.AddWithValue("$email", (object?)ConversionHashes.Email(record) ?? DBNull.Value);
        command.Parameters.AddWithValue("$phone", (object?)ConversionHashes.Phone(record) ?? DBNull.Value);
        command.Parameters.AddWithValue("$record", JsonSerializer.Serialize(record));
        await command.ExecuteNonQueryAsync(cancellationToken);
    });

    public async Task<IReadOnlyList<ConversionRecord>> ListConversions(LocationKey location, DateOnly day, CancellationToken cancellationToken)
    {
        await using var db = new SqliteConnection(connectionString);
        await db.OpenAsync(cancellationToken);
        await using var command = db.CreateCommand();
        command.CommandText = ListConversionsQuery;
        Bind(command, location, day);
        var records = new List<ConversionRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(JsonSerializer.Deserialize<ConversionRecord>(reader.GetString(0))!);
        }

        return records;
    }

    public async Task<IReadOnlyList<string>> FindSessionsOf(LocationKey location, IReadOnlyCollection<string> contactHashes, CancellationToken cancellationToken)
    {
        await using var db = new SqliteConnection(connectionString);
        await db.OpenAsync(cancellationToken);
        await using var command = db.CreateCommand();
        command.CommandText = FindSessionsOfQuery;
        BindLocation(command, location);
        command.Parameters.AddWithValue("$hashes", JsonSerializer.Serialize(contactHashes));
        return await ReadStrings(command, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> FindSessionsHeldBefore(LocationKey location, DateOnly cutoff, int limit, CancellationToken cancellationToken)
    {
        await using var db = new SqliteConnection(connectionString);
        await db.OpenAsync(cancellationToken);
        await using var command = db.CreateCommand();
        command.CommandText = FindSessionsHeldBeforeQuery;
        Bind(command, location, cutoff);
        command.Parameters.AddWithValue("$limit", limit);
        return await ReadStrings(command, cancellationToken);
    }

    public Task<int> EraseConversionsOf(
        LocationKey location, IReadOnlyCollection<string> sessionIds, IReadOnlyCollection<string> contactHashes, DateTimeOffset at, CancellationToken cancellationToken) =>
        EraseConversions(command =>
        {
            command.CommandText = ConversionsOfQuery;
            BindLocation(command, location);
            command.Parameters.AddWithValue("$sessions", JsonSerializer.Serialize(sessionIds));
            command.Parameters.AddWithValue("$hashes", JsonSerializer.Serialize(contactHashes));
        }, at, cancellationToken);

    public Task<int> EraseConversionsBefore(LocationKey location, DateOnly cutoff, int limit, DateTimeOffset at, CancellationToken cancellationToken) =>
        EraseConversions(command =>
        {
            command.CommandText = ConversionsBeforeQuery;
            Bind(command, location, cutoff);
            command.Parameters.AddWithValue("$limit", limit);
        }, at, cancellationToken);

    public Task ReclaimErasedSpace(CancellationToken cancellationToken) => gate.Run(async () =>
    {
        // An overwritten value stays in the file as freed bytes of its page (SQLite's secure_delete would zero them,
        // but it is a per-connection setting Orleans' storage connections do not get) and as older page images in
        // the write-ahead log. VACUUM rebuilds every page from live rows only; the truncating checkpoint then moves
        // the rebuilt pages into the file and empties the log. It rewrites the whole file under the write gate:
        // docs/PERFORMANCE.md "Erasure" has its cost.
        await using var db = await OpenAsync(cancellationToken);
        await using var command = db.CreateCommand();
        command.CommandText = "VACUUM; PRAGMA wal_checkpoint(TRUNCATE);";
        command.CommandTimeout = 300;
        await command.ExecuteNonQueryAsync(cancellationToken);
    });

    /// <summary>Rewrites the conversions <paramref name="select"/> finds (SessionId, Record) without personal data, in one transaction.</summary>
    private Task<int> EraseConversions(Action<SqliteCommand> select, DateTimeOffset at, CancellationToken cancellationToken) => gate.Run(async () =>
    {
        await using var db = await OpenAsync(cancellationToken);
        await using var transaction = db.BeginTransaction();
        var found = new List<(string SessionId, string Record)>();
        await using (var query = db.CreateCommand())
        {
            query.Transaction = transaction;
            select(query);
            await using var reader = await query.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                found.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        await using var update = db.CreateCommand();
        update.Transaction = transaction;
        update.CommandText = EraseConversion;
        var p = Parameters(update, "$service", "$session", "$record", "$at");
        p[0].Value = ServiceId;
        p[3].Value = Instant(at);
        foreach (var (sessionId, record) in found)
        {
            p[1].Value = sessionId;
            p[2].Value = JsonSerializer.Serialize(JsonSerializer.Deserialize<ConversionRecord>(record)!.WithoutPersonalData(at));
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return found.Count;
    });

    private static async Task<IReadOnlyList<string>> ReadStrings(SqliteCommand command, CancellationToken cancellationToken)
    {
        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    /// <summary>The counters of one group; <paramref name="column"/> reads started, qrShown, … cancelled, messagesUnknown.</summary>
    internal static CounterRow Counters(int widgetId, string terminalId, Func<int, long> column)
    {
        var counts = new long[Enum.GetValues<WidgetCounter>().Length];
        counts[(int)WidgetCounter.Started] = column(0);
        counts[(int)WidgetCounter.QrShown] = column(1);
        counts[(int)WidgetCounter.MessagesSent] = column(2);
        counts[(int)WidgetCounter.Scanned] = column(3);
        counts[(int)WidgetCounter.Converted] = column(4);
        counts[(int)WidgetCounter.TimedOut] = column(5);
        counts[(int)WidgetCounter.Cancelled] = column(6);
        counts[(int)WidgetCounter.MessagesUnknown] = column(7);
        return new CounterRow(widgetId, terminalId, counts);
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>UTC, fixed width: text that sorts as the instants do.</summary>
    private static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static SqliteParameter[] Parameters(SqliteCommand command, params string[] names) =>
        names.Select(name => command.Parameters.Add(new SqliteParameter { ParameterName = name })).ToArray();

    private void Bind(SqliteCommand command, LocationKey location, DateOnly day)
    {
        BindLocation(command, location);
        command.Parameters.AddWithValue("$day", Day(day));
    }

    private void BindLocation(SqliteCommand command, LocationKey location)
    {
        command.Parameters.AddWithValue("$service", ServiceId);
        command.Parameters.AddWithValue("$pos", location.PosSystemId);
        command.Parameters.AddWithValue("$location", location.LocationId);
    }

    /// <summary>A connection for a write, with the durability every embedded write has (see 0003_commit_without_fsync.sql).</summary>
    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var db = new SqliteConnection(connectionString);
        await db.OpenAsync(cancellationToken);
        await using var pragma = db.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous = NORMAL";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return db;
    }
}

/// <summary>The contact hashes a conversion is found by (what the customer typed on the landing page).</summary>
internal static class ConversionHashes
{
    public static string? Email(ConversionRecord record) =>
        string.IsNullOrWhiteSpace(record.Email) ? null : Consent.ContactHash.Email(record.Email);

    public static string? Phone(ConversionRecord record) =>
        string.IsNullOrWhiteSpace(record.Phone) ? null : Consent.ContactHash.Phone(record.Phone.Trim());
}
