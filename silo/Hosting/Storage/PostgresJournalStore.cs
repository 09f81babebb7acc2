using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Orleans.Configuration;
using Widgets.Analytics;
using Widgets.Grains.Journal;
using Widgets.Keys;
using Widgets.Sessions;

namespace Widgets.Hosting.Storage;

/// <summary>The session journal on PostgreSQL (tables from <c>deploy/sql/postgres/0005_session_journal.sql</c>).</summary>
public sealed class PostgresJournalStore(string connectionString, IOptions<ClusterOptions> cluster) : IJournalStore, IAsyncDisposable
{
    private const string UpsertFunnel = """
        INSERT INTO WidgetSessionFunnel
            (ServiceId, SessionId, PosSystemId, LocationId, StartDay, WidgetId, TerminalId, StartedAt,
             QrShown, MessagesSent, Scanned, Converted, State, EndedAt, EmailHash, PhoneHash, PersonalData,
             MessagesUnknown, OtherContactHashes)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
        ON CONFLICT (ServiceId, SessionId) DO UPDATE SET
            QrShown = excluded.QrShown, MessagesSent = excluded.MessagesSent, Scanned = excluded.Scanned,
            Converted = excluded.Converted, State = excluded.State, EndedAt = excluded.EndedAt,
            EmailHash = excluded.EmailHash, PhoneHash = excluded.PhoneHash, PersonalData = excluded.PersonalData,
            MessagesUnknown = excluded.MessagesUnknown, OtherContactHashes = excluded.OtherContactHashes
        """;

    private const string CountFunnelQuery = """
        SELECT WidgetId, TerminalId, count(*), count(*) FILTER (WHERE QrShown), coalesce(sum(MessagesSent), 0),
               count(*) FILTER (WHERE Scanned), count(*) FILTER (WHERE Converted),
               count(*) FILTER (WHERE State = 'timedOut'), count(*) FILTER (WHERE State = 'cancelled'),
               coalesce(sum(MessagesUnknown), 0)
        FROM WidgetSessionFunnel
        WHERE ServiceId = $1 AND PosSystemId = $2 AND LocationId = $3 AND StartDay = $4
        GROUP BY WidgetId, TerminalId
        """;

    private const string InsertConversion = """
        INSERT INTO WidgetConversions (ServiceId, PosSystemId, LocationId, Day, SessionId, At, WidgetId, EmailHash, PhoneHash, Record)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb)
        ON CONFLICT (ServiceId, SessionId) DO NOTHING
        """;

    private const string ListConversionsQuery = """
        SELECT Record::text FROM WidgetConversions
        WHERE ServiceId = $1 AND PosSystemId = $2 AND LocationId = $3 AND Day = $4
        ORDER BY At, SessionId
        """;

    private const string FindSessionsOfQuery = """
        SELECT SessionId FROM WidgetSessionFunnel
        WHERE ServiceId = $1 AND PosSystemId = $2 AND LocationId = $3 AND (EmailHash = ANY($4) OR PhoneHash = ANY($4))
        UNION
        SELECT SessionId FROM WidgetSessionFunnel
        WHERE ServiceId = $1 AND PosSystemId = $2 AND LocationId = $3 AND OtherContactHashes IS NOT NULL AND OtherContactHashes && $4
        UNION
        SELECT SessionId FROM WidgetConversions
        WHERE ServiceId = $1 AND PosSystemId = $2 AND LocationId = $3 AND ErasedAt IS NULL AND (EmailHash = ANY($4) OR PhoneHash = ANY($4))
        """;

    private const string FindSessionsHeldBeforeQuery = """
        SELECT SessionId FROM WidgetSessionFunnel
        WHERE ServiceId = $1 AND PosSystemId = $2 AND LocationId = $3 AND StartDay < $4 AND PersonalData
        ORDER BY StartDay, SessionId
        LIMIT $5
        """;

    private const string ConversionsOfQuery = """
        SELECT SessionId, Record::text FROM WidgetConversions
        WHERE ServiceId = $1 AND PosSystemId = $2 AND LocationId = $3 AND ErasedAt IS NULL
          AND (SessionId = ANY($4) OR EmailHash = ANY($5) OR PhoneHash = ANY($5))
        FOR UPDATE
        """;

    private const string ConversionsBeforeQuery = """
        SELECT SessionId, Record::text FROM WidgetConversions
        WHERE ServiceId = $1 AND PosSystemId = $2 AND LocationId = $3 AND Day < $4 AND ErasedAt IS NULL
        ORDER BY Day, SessionId
        LIMIT $5
        FOR UPDATE
        """;

    private const string EraseConversion = """
        UPDATE WidgetConversions SET Record = $3::jsonb, EmailHash = NULL, PhoneHash = NULL, ErasedAt = $4
        WHERE ServiceId = $1 AND SessionId = $2
        """;

    private readonly NpgsqlDataSource database = NpgsqlDataSource.Create(connectionString);

    private string ServiceId => cluster.Value.ServiceId;

    public ValueTask DisposeAsync() => database.DisposeAsync();

    public async Task UpsertFunnelRows(IReadOnlyCollection<FunnelRow> rows, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);

        // One round trip; a batch runs as one implicit transaction.
        await using var batch = new NpgsqlBatch(connection);
        foreach (var row in rows)
        {
            var command = new NpgsqlBatchCommand(UpsertFunnel);
            Add(command, NpgsqlDbType.Text, ServiceId);
            Add(command, NpgsqlDbType.Text, row.SessionId);
            Add(command, NpgsqlDbType.Text, row.Location.PosSystemId);
            Add(command, NpgsqlDbType.Text, row.Location.LocationId);
            Add(command, NpgsqlDbType.Date, row.StartDay);
            Add(command, NpgsqlDbType.Integer, row.WidgetId);
            Add(command, NpgsqlDbType.Text, row.TerminalId);
            Add(command, NpgsqlDbType.TimestampTz, row.StartedAt.ToUniversalTime());
            Add(command, NpgsqlDbType.Boolean, row.QrShown);
            Add(command, NpgsqlDbType.Integer, row.MessagesSent);
            Add(command, NpgsqlDbType.Boolean, row.Scanned);
            Add(command, NpgsqlDbType.Boolean, row.Converted);
            Add(command, NpgsqlDbType.Text, FunnelRow.StateName(row.State));
            Add(command, NpgsqlDbType.TimestampTz, row.EndedAt?.ToUniversalTime());
            Add(command, NpgsqlDbType.Text, row.EmailHash);
            Add(command, NpgsqlDbType.Text, row.PhoneHash);
            Add(command, NpgsqlDbType.Boolean, row.PersonalData);
            Add(command, NpgsqlDbType.Integer, row.MessagesUnknown);
            Add(command, NpgsqlDbType.Array | NpgsqlDbType.Text, row.OtherContactHashes is { Count: > 0 } others ? others.ToArray() : null);
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<CounterRow>> CountFunnel(LocationKey location, DateOnly startDay, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(CountFunnelQuery);
        Bind(command, location, startDay);
        var rows = new List<CounterRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(SqliteJournalStore.Counters(reader.GetInt32(0), reader.GetString(1), i => reader.GetInt64(i + 2)));
        }

        return rows;
    }

    public async Task AppendConversion(LocationKey location, ConversionRecord record, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(InsertConversion);
        Bind(command, location, DateOnly.FromDateTime(record.At.UtcDateTime));
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = record.SessionId });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = record.At.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = record.WidgetId });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)ConversionHashes.Email(record) ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)ConversionHashes.Phone(record) ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = JsonSerializer.Serialize(record) });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ConversionRecord>> ListConversions(LocationKey location, DateOnly day, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(ListConversionsQuery);
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
        await using var command = database.CreateCommand(FindSessionsOfQuery);
        BindLocation(command, location);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = contactHashes.ToArray() });
        return await ReadStrings(command, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> FindSessionsHeldBefore(LocationKey location, DateOnly cutoff, int limit, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(FindSessionsHeldBeforeQuery);
        Bind(command, location, cutoff);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = limit });
        return await ReadStrings(command, cancellationToken);
    }

    public Task<int> EraseConversionsOf(
        LocationKey location, IReadOnlyCollection<string> sessionIds, IReadOnlyCollection<string> contactHashes, DateTimeOffset at, CancellationToken cancellationToken) =>
        EraseConversions(ConversionsOfQuery, command =>
        {
            BindLocation(command, location);
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = sessionIds.ToArray() });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = contactHashes.ToArray() });
        }, at, cancellationToken);

    public Task<int> EraseConversionsBefore(LocationKey location, DateOnly cutoff, int limit, DateTimeOffset at, CancellationToken cancellationToken) =>
        EraseConversions(ConversionsBeforeQuery, command =>
        {
            Bind(command, location, cutoff);
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = limit });
        }, at, cancellationToken);

    /// <summary>Nothing to do: an updated row's old version is a dead tuple no query returns, reclaimed by autovacuum.</summary>
    public Task ReclaimErasedSpace(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Rewrites the conversions <paramref name="query"/> finds and locks (SessionId, Record) without personal data
    /// (<see cref="ConversionRecord.WithoutPersonalData"/>), in one transaction.
    /// </summary>
    private async Task<int> EraseConversions(string query, Action<NpgsqlCommand> bind, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var found = new List<(string SessionId, string Record)>();
        await using (var select = new NpgsqlCommand(query, connection, transaction))
        {
            bind(select);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                found.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        if (found.Count > 0)
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            foreach (var (sessionId, record) in found)
            {
                var command = new NpgsqlBatchCommand(EraseConversion);
                Add(command, NpgsqlDbType.Text, ServiceId);
                Add(command, NpgsqlDbType.Text, sessionId);
                Add(command, NpgsqlDbType.Text, JsonSerializer.Serialize(JsonSerializer.Deserialize<ConversionRecord>(record)!.WithoutPersonalData(at)));
                Add(command, NpgsqlDbType.TimestampTz, at.ToUniversalTime());
                batch.BatchCommands.Add(command);
            }

            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return found.Count;
    }

    private static async Task<IReadOnlyList<string>> ReadStrings(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    private static void Add(NpgsqlBatchCommand command, NpgsqlDbType type, object? value) =>
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = type, Value = value ?? DBNull.Value });

    private void Bind(NpgsqlCommand command, LocationKey location, DateOnly day)
    {
        BindLocation(command, location);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Date, Value = day });
    }

    private void BindLocation(NpgsqlCommand command, LocationKey location)
    {
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = ServiceId });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = location.PosSystemId });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = location.LocationId });
    }
}
