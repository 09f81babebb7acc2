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
             QrShown, MessagesSent, Scanned, Converted, State, EndedAt, EmailHash, PhoneHash)
        VALUES ($service, $session, $pos, $location, $day, $widget, $terminal, $startedAt,
                $qr, $sent, $scanned, $converted, $state, $endedAt, $email, $phone)
        ON CONFLICT (ServiceId, SessionId) DO UPDATE SET
            QrShown = excluded.QrShown, MessagesSent = excluded.MessagesSent, Scanned = excluded.Scanned,
            Converted = excluded.Converted, State = excluded.State, EndedAt = excluded.EndedAt,
            EmailHash = excluded.EmailHash, PhoneHash = excluded.PhoneHash
        """;

    private const string CountFunnelQuery = """
        SELECT WidgetId, TerminalId, COUNT(*), SUM(QrShown), SUM(MessagesSent), SUM(Scanned), SUM(Converted),
               SUM(State = 'timedOut'), SUM(State = 'cancelled')
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

    private string ServiceId => cluster.Value.ServiceId;

    public Task UpsertFunnelRows(IReadOnlyCollection<FunnelRow> rows, CancellationToken cancellationToken) => gate.Run(async () =>
    {
        await using var db = await OpenAsync(cancellationToken);
        await using var transaction = db.BeginTransaction();
        await using var command = db.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = UpsertFunnel;
        var p = Parameters(command, "$service", "$session", "$pos", "$location", "$day", "$widget", "$terminal", "$startedAt",
            "$qr", "$sent", "$scanned", "$converted", "$state", "$endedAt", "$email", "$phone");
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

    /// <summary>The counters of one group, in <see cref="WidgetCounter"/> order; <paramref name="column"/> reads started, qrShown, … cancelled.</summary>
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
        return new CounterRow(widgetId, terminalId, counts);
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>UTC, fixed width: text that sorts as the instants do.</summary>
    private static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static SqliteParameter[] Parameters(SqliteCommand command, params string[] names) =>
        names.Select(name => command.Parameters.Add(new SqliteParameter { ParameterName = name })).ToArray();

    private void Bind(SqliteCommand command, LocationKey location, DateOnly day)
    {
        command.Parameters.AddWithValue("$service", ServiceId);
        command.Parameters.AddWithValue("$pos", location.PosSystemId);
        command.Parameters.AddWithValue("$location", location.LocationId);
        command.Parameters.AddWithValue("$day", Day(day));
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
