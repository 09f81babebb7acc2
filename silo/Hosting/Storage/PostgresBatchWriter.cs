using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Widgets.Hosting.Storage;

/// <summary>
/// Cluster mode's writer for grain states and reminder rows: every write waiting when the writer comes round goes to
/// PostgreSQL as one <see cref="NpgsqlBatch"/> — one round trip and one implicit transaction, so one commit (one WAL
/// flush) for all of them. A caller's write completes only once that batch has committed; a write answered is exactly
/// as durable as one stored alone.
/// </summary>
/// <remarks>
/// Why: Orleans' ADO.NET provider runs every write as a statement of its own on a pooled connection, each with its
/// round trip, its commit and its WAL flush. Per POS flow that was nine commits, and PostgreSQL spent most of its
/// CPU on the round trips and the flushes rather than on the statements (perf, docs/PERFORMANCE.md change 26).
/// A statement that fails fails its whole batch (PostgreSQL rolls back the implicit transaction); the writer then
/// stores that batch's writes one by one, so only the faulty write reports the failure.
/// </remarks>
public sealed partial class PostgresBatchWriter : BatchedRowWriter
{
    /// <summary>
    /// The column types of the stored queries' parameters (deploy/sql/postgres/0003 and 0004), set on every parameter:
    /// a NULL would otherwise reach PostgreSQL without a type.
    /// </summary>
    private static readonly Dictionary<string, NpgsqlDbType> ParameterTypes = new(StringComparer.Ordinal)
    {
        ["GrainIdHash"] = NpgsqlDbType.Integer,
        ["GrainIdN0"] = NpgsqlDbType.Bigint,
        ["GrainIdN1"] = NpgsqlDbType.Bigint,
        ["GrainTypeHash"] = NpgsqlDbType.Integer,
        ["GrainTypeString"] = NpgsqlDbType.Text,
        ["GrainIdExtensionString"] = NpgsqlDbType.Text,
        ["ServiceId"] = NpgsqlDbType.Text,
        ["GrainStateVersion"] = NpgsqlDbType.Integer,
        ["PayloadBinary"] = NpgsqlDbType.Bytea,
        ["GrainId"] = NpgsqlDbType.Text,
        ["ReminderName"] = NpgsqlDbType.Text,
        ["StartTime"] = NpgsqlDbType.TimestampTz,
        ["Period"] = NpgsqlDbType.Bigint,
        ["GrainHash"] = NpgsqlDbType.Integer,
        ["Version"] = NpgsqlDbType.Integer,
    };

    private readonly Dictionary<string, string> queryTexts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Statement> statements = new(StringComparer.Ordinal);
    private readonly string connectionString;
    private readonly ILogger<PostgresBatchWriter> logger;
    private NpgsqlConnection? connection;

    public PostgresBatchWriter(string connectionString, ILogger<PostgresBatchWriter> logger)
    {
        // A connection of its own, held for the writer's life, outside the pool: after a failed batch it is closed, not
        // handed back to a pool (Npgsql's bookkeeping of statements a failed batch was preparing cannot be trusted).
        this.connectionString = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        this.logger = logger;
    }

    /// <summary>PostgreSQL takes concurrent writers: the write runs as it is.</summary>
    public override Task WriteAlone(Func<Task> write) => write();

    protected override async Task StoreBatch(List<PendingRow> batch, CancellationToken cancellationToken)
    {
        try
        {
            await Store(batch, cancellationToken);
            batch.ForEach(p => p.Complete());
        }
        catch (PostgresException ex) when (batch.Count > 1 && ex.SqlState != PostgresErrorCodes.AdminShutdown)
        {
            // One statement failed and rolled back the whole batch: store each write alone, so that only the
            // faulty one reports a failure.
            logger.LogWarning("A batch of {Count} writes was rolled back ({SqlState}: {Message}); storing them one by one", batch.Count, ex.SqlState, ex.MessageText);
            await CloseConnection();
            foreach (var pending in batch)
            {
                try
                {
                    await Store([pending], cancellationToken);
                    pending.Complete();
                }
                catch (Exception single) when (single is not OperationCanceledException)
                {
                    pending.Fail(single);
                    await CloseConnection();
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The connection failed (or the commit's outcome is unknown): every caller hears of it, as each
            // would have from a write of its own.
            logger.LogError(ex, "A batch of {Count} writes could not be stored in PostgreSQL; each write reports the failure to its caller", batch.Count);
            await CloseConnection();
            batch.ForEach(p => p.Fail(ex));
        }
    }

    private async Task Store(List<PendingRow> rows, CancellationToken cancellationToken)
    {
        var open = await Open(cancellationToken);
        await LoadQueries(open, rows, cancellationToken);
        await using var batch = new NpgsqlBatch(open);
        foreach (var row in rows)
        {
            batch.BatchCommands.Add(Command(row));
        }

        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            for (var i = 0; i < rows.Count; i++)
            {
                if (i > 0 && !await reader.NextResultAsync(cancellationToken))
                {
                    throw new InvalidOperationException($"PostgreSQL answered {i} of {rows.Count} statements of a batch.");
                }

                // Read before the commit, but a caller hears of it only once StoreBatch has seen the batch commit.
                rows[i].Result = reader.FieldCount > 0 && await reader.ReadAsync(cancellationToken) && !reader.IsDBNull(0)
                    ? Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)
                    : null;
            }

            // Disposing reads to the end of the batch, past its commit: a commit that fails throws here.
        }
    }

    /// <summary>The statement of one write: its stored query with <c>@Name</c> turned into <c>$n</c>, typed parameters.</summary>
    private NpgsqlBatchCommand Command(PendingRow row)
    {
        if (!statements.TryGetValue(row.QueryKey, out var statement))
        {
            // Callers pass one query's parameters by the same names in the same order every time.
            statement = new Statement(
                Positional(queryTexts[row.QueryKey], row),
                [.. row.Parameters.Select(p => ParameterTypes.TryGetValue(p.Name, out var type)
                    ? type
                    : throw new InvalidOperationException($"PostgresBatchWriter does not know the column type of @{p.Name}; add it to ParameterTypes."))]);
            statements[row.QueryKey] = statement;
        }

        var command = new NpgsqlBatchCommand(statement.Text);
        for (var i = 0; i < row.Parameters.Count; i++)
        {
            var type = statement.Types[i];
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = type, Value = Coerce(row.Parameters[i].Value, type) });
        }

        return command;
    }

    private static object Coerce(object? value, NpgsqlDbType type) => value switch
    {
        null => DBNull.Value,
        int narrow when type == NpgsqlDbType.Bigint => (long)narrow,
        _ => value,
    };

    /// <summary>
    /// <paramref name="text"/> with each <c>@Name</c> replaced by the position of that parameter in the write's list,
    /// so Npgsql sends the statement as written (no SQL rewriting) and PostgreSQL can keep it prepared.
    /// </summary>
    private static string Positional(string text, PendingRow row) => NamedParameter().Replace(text, match =>
    {
        var name = match.Groups[1].Value;
        for (var i = 0; i < row.Parameters.Count; i++)
        {
            if (string.Equals(row.Parameters[i].Name, name, StringComparison.Ordinal))
            {
                return "$" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"The stored query {row.QueryKey} uses @{name}, which its caller does not pass.");
    });

    /// <summary>Reads the texts of stored queries not seen yet from <c>OrleansQuery</c> (once per key).</summary>
    private async Task LoadQueries(NpgsqlConnection open, List<PendingRow> rows, CancellationToken cancellationToken)
    {
        var missing = rows.Select(r => r.QueryKey).Where(k => !queryTexts.ContainsKey(k)).Distinct(StringComparer.Ordinal).ToArray();
        if (missing.Length == 0)
        {
            return;
        }

        await using var lookup = new NpgsqlCommand("SELECT QueryKey, QueryText FROM OrleansQuery WHERE QueryKey = ANY($1)", open);
        lookup.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = missing });
        await using (var reader = await lookup.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                queryTexts[reader.GetString(0)] = reader.GetString(1);
            }
        }

        foreach (var key in missing.Where(k => !queryTexts.ContainsKey(k)))
        {
            throw new InvalidOperationException($"OrleansQuery has no {key}: the database was not migrated. Run the silo's migration (it runs at start unless disabled).");
        }
    }

    /// <summary>The writer's own connection, opened on first use and after a failure.</summary>
    private async Task<NpgsqlConnection> Open(CancellationToken cancellationToken)
    {
        if (connection is { State: System.Data.ConnectionState.Open })
        {
            return connection;
        }

        await CloseConnection();
        connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    protected override async ValueTask CloseConnection()
    {
        if (connection is not null)
        {
            await connection.DisposeAsync();
            connection = null;
        }
    }

    [GeneratedRegex(@"@([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex NamedParameter();

    /// <summary>A stored query as sent: positional text and each parameter's column type, worked out once per query.</summary>
    private sealed record Statement(string Text, NpgsqlDbType[] Types);
}
