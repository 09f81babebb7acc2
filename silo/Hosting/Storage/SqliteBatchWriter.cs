using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Widgets.Hosting.Storage;

/// <summary>
/// The embedded database's writer for grain states and reminder rows: writes are queued and one writer stores every
/// write waiting when it comes round in one transaction (a group commit), through Orleans' stored queries compiled once
/// on its own connection. A caller's write completes only once the transaction holding it has committed, so a write
/// answered is exactly as durable as one stored alone (see <c>deploy/sql/sqlite/0003_commit_without_fsync.sql</c>).
/// </summary>
/// <remarks>
/// Why: SQLite takes one writer at a time, so every write waited for the <see cref="SqliteWriteGate"/> and then paid,
/// alone, a connection from the pool, the compilation of its query (Microsoft.Data.Sqlite keeps no statement cache
/// across commands), a transaction with its WAL commit and the locks around it. Under the POS flow the gate was busy
/// ~75 % of the time, first with grain writes, then (once those were batched) with the sessions' reminder rows, one
/// statement per turn; that capped the flow regardless of the cores left. A statement that fails fails only its own
/// write (SQLite undoes just that statement); a transaction that cannot commit fails every write in it.
/// </remarks>
public sealed class SqliteBatchWriter : BatchedRowWriter
{
    private readonly Dictionary<string, SqliteCommand> queries = new(StringComparer.Ordinal);
    private readonly SqliteWriteGate gate;
    private readonly string connectionString;
    private readonly ILogger<SqliteBatchWriter> logger;
    private SqliteConnection? connection;

    public SqliteBatchWriter(SqliteWriteGate gate, string connectionString, ILogger<SqliteBatchWriter> logger)
    {
        this.gate = gate;
        this.connectionString = connectionString;
        this.logger = logger;
    }

    /// <summary>Through the <see cref="SqliteWriteGate"/>, as every other write to the file.</summary>
    public override Task WriteAlone(Func<Task> write) => gate.Run(write);

    protected override async Task StoreBatch(List<PendingRow> batch, CancellationToken cancellationToken)
    {
        try
        {
            await gate.Run(() =>
            {
                Open();
                using var transaction = connection!.BeginTransaction(deferred: false);
                foreach (var pending in batch)
                {
                    try
                    {
                        pending.Result = Execute(pending, transaction);
                    }
                    catch (SqliteException ex)
                    {
                        // Only this statement was undone; the batch goes on.
                        pending.Failure = ex;
                    }
                }

                transaction.Commit();
                return Task.CompletedTask;
            });
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "A batch of {Count} writes could not be committed to SQLite; each write reports the failure to its caller", batch.Count);
            await CloseConnection();
            batch.ForEach(p => p.Fail(ex));
            return;
        }

        batch.ForEach(p => p.Complete());
    }

    protected override ValueTask CloseConnection()
    {
        foreach (var command in queries.Values)
        {
            command.Dispose();
        }

        queries.Clear();
        connection?.Dispose();
        connection = null;
        return ValueTask.CompletedTask;
    }

    /// <summary>Runs one write's stored query (compiled once on the writer's connection) and reads its first value.</summary>
    private long? Execute(PendingRow pending, SqliteTransaction transaction)
    {
        if (!queries.TryGetValue(pending.QueryKey, out var command))
        {
            string text;
            using (var lookup = connection!.CreateCommand())
            {
                lookup.Transaction = transaction;
                lookup.CommandText = "SELECT QueryText FROM OrleansQuery WHERE QueryKey = $key";
                lookup.Parameters.AddWithValue("$key", pending.QueryKey);
                text = lookup.ExecuteScalar() as string
                    ?? throw new InvalidOperationException($"OrleansQuery has no {pending.QueryKey}: the database was not migrated. Start the silo, which migrates it.");
            }

            command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = WithoutLeadingPragma(text);
            foreach (var parameter in pending.Parameters)
            {
                command.Parameters.Add(new SqliteParameter("@" + parameter.Name, DBNull.Value));
            }

            command.Prepare();
            queries[pending.QueryKey] = command;
        }

        // By position: callers pass one query's parameters in the same order every time (IStorageRowWriter.Write), the
        // order the command's parameters were created in.
        command.Transaction = transaction;
        for (var i = 0; i < pending.Parameters.Count; i++)
        {
            command.Parameters[i].Value = pending.Parameters[i].Value ?? DBNull.Value;
        }

        using var result = command.ExecuteReader();
        do
        {
            if (result.FieldCount > 0 && result.Read() && !result.IsDBNull(0))
            {
                return result.GetInt64(0);
            }
        }
        while (result.NextResult());

        return null;
    }

    /// <summary>The writer's connection, opened on first use and after a failure.</summary>
    private void Open()
    {
        if (connection is not null)
        {
            return;
        }

        connection = new SqliteConnection(connectionString);
        connection.Open();
        using var setup = connection.CreateCommand();

        // The stored queries set this per call (pooled connections); on this connection it is set once, since a
        // PRAGMA inside the batch's transaction would be a no-op at best.
        setup.CommandText = "PRAGMA synchronous = NORMAL";
        setup.ExecuteNonQuery();
    }

    private static string WithoutLeadingPragma(string query)
    {
        var text = query.TrimStart();
        return text.StartsWith("PRAGMA", StringComparison.OrdinalIgnoreCase) ? text[(text.IndexOf(';', StringComparison.Ordinal) + 1)..] : text;
    }
}
