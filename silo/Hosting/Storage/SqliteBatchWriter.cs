using System.Threading.Channels;
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
public sealed class SqliteBatchWriter : IStorageRowWriter, IAsyncDisposable
{
    /// <summary>At most this many writes share a transaction, so one batch cannot hold the gate for long.</summary>
    public const int MaxBatch = 256;

    private readonly Channel<PendingWrite> queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource stopping = new();
    private readonly Dictionary<string, SqliteCommand> queries = new(StringComparer.Ordinal);
    private readonly SqliteWriteGate gate;
    private readonly string connectionString;
    private readonly ILogger<SqliteBatchWriter> logger;
    private readonly Lazy<Task> writer;
    private int disposed;
    private SqliteConnection? connection;
    private SqliteTransaction? transaction;

    public SqliteBatchWriter(SqliteWriteGate gate, string connectionString, ILogger<SqliteBatchWriter> logger)
    {
        this.gate = gate;
        this.connectionString = connectionString;
        this.logger = logger;

        // Started by the first write: by then the silo has migrated the database.
        writer = new Lazy<Task>(() => Task.Run(() => WriteLoop(stopping.Token)));
    }

    public Task<long?> Write(string queryKey, IReadOnlyList<StoredQueryParameter> parameters)
    {
        var names = new string[parameters.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = parameters[i].Name;
        }

        return Write(w =>
        {
            var command = w.Query(queryKey, names);
            foreach (var parameter in parameters)
            {
                command.Parameters["@" + parameter.Name].Value = parameter.Value ?? DBNull.Value;
            }

            return FirstValue(command);
        });
    }

    /// <summary>Through the <see cref="SqliteWriteGate"/>, as every other write to the file.</summary>
    public Task WriteAlone(Func<Task> write) => gate.Run(write);

    /// <summary>
    /// Queues a write. <paramref name="execute"/> runs on the writer, inside the batch's transaction, and gets the
    /// stored queries through <see cref="Query"/>; its result is returned once that transaction has committed.
    /// </summary>
    public Task<T> Write<T>(Func<SqliteBatchWriter, T> execute)
    {
        _ = writer.Value;
        var pending = new PendingWrite<T>(execute);
        if (!queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(SqliteBatchWriter), "The silo is stopping; the write was not stored.");
        }

        return pending.Stored.Task;
    }

    /// <summary>
    /// The stored query <paramref name="queryKey"/> from <c>OrleansQuery</c>, compiled once on the writer's connection
    /// with <paramref name="parameters"/> (names without <c>@</c>) and enlisted in the current batch. Only for
    /// <see cref="Write{T}"/>'s callbacks.
    /// </summary>
    public SqliteCommand Query(string queryKey, params string[] parameters)
    {
        var current = transaction ?? throw new InvalidOperationException("Stored queries are only for the writer's own callbacks.");
        if (!queries.TryGetValue(queryKey, out var command))
        {
            string text;
            using (var lookup = connection!.CreateCommand())
            {
                lookup.Transaction = current;
                lookup.CommandText = "SELECT QueryText FROM OrleansQuery WHERE QueryKey = $key";
                lookup.Parameters.AddWithValue("$key", queryKey);
                text = lookup.ExecuteScalar() as string
                    ?? throw new InvalidOperationException($"OrleansQuery has no {queryKey}: the database was not migrated. Start the silo, which migrates it.");
            }

            command = connection.CreateCommand();
            command.Transaction = current;
            command.CommandText = WithoutLeadingPragma(text);
            foreach (var name in parameters)
            {
                command.Parameters.Add(new SqliteParameter("@" + name, DBNull.Value));
            }

            command.Prepare();
            queries[queryKey] = command;
        }

        command.Transaction = current;
        return command;
    }

    /// <summary>The first value of the first result row any statement of <paramref name="command"/> returns, if one does.</summary>
    public static long? FirstValue(SqliteCommand command)
    {
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

    public async ValueTask DisposeAsync()
    {
        // Registered as itself and as IStorageRowWriter, so the container disposes it twice.
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        queue.Writer.TryComplete();
        if (writer.IsValueCreated)
        {
            // What is queued is still stored; only then does the writer stop.
            await writer.Value.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await stopping.CancelAsync();
        stopping.Dispose();
        ResetConnection();
    }

    private async Task WriteLoop(CancellationToken cancellationToken)
    {
        var batch = new List<PendingWrite>(MaxBatch);
        var reader = queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && reader.TryRead(out var pending))
                {
                    batch.Add(pending);
                }

                try
                {
                    await gate.Run(() => Store(batch));
                    foreach (var pending in batch)
                    {
                        pending.Complete();
                    }
                }
                catch (Exception ex)
                {
                    logger.LogError(ex, "A batch of {Count} writes could not be committed to SQLite; each write reports the failure to its caller", batch.Count);
                    ResetConnection();
                    foreach (var pending in batch)
                    {
                        pending.Fail(ex);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Nothing waits for ever: writes queued after the writer stopped are refused.
            while (reader.TryRead(out var left))
            {
                left.Fail(new ObjectDisposedException(nameof(SqliteBatchWriter), "The silo stopped before the write was stored."));
            }
        }
    }

    private Task Store(List<PendingWrite> batch)
    {
        Open();
        using (transaction = connection!.BeginTransaction(deferred: false))
        {
            try
            {
                foreach (var pending in batch)
                {
                    pending.Execute(this);
                }

                transaction.Commit();
            }
            finally
            {
                transaction = null;
            }
        }

        return Task.CompletedTask;
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

    private void ResetConnection()
    {
        foreach (var command in queries.Values)
        {
            command.Dispose();
        }

        queries.Clear();
        connection?.Dispose();
        connection = null;
    }

    private abstract class PendingWrite
    {
        public abstract void Execute(SqliteBatchWriter writer);

        public abstract void Complete();

        public abstract void Fail(Exception failure);
    }

    private sealed class PendingWrite<T>(Func<SqliteBatchWriter, T> execute) : PendingWrite
    {
        private T? result;
        private Exception? failure;

        public TaskCompletionSource<T> Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Execute(SqliteBatchWriter writer)
        {
            try
            {
                result = execute(writer);
            }
            catch (SqliteException ex)
            {
                // Only this statement was undone; the batch goes on.
                failure = ex;
            }
        }

        public override void Complete()
        {
            if (failure is not null)
            {
                Stored.TrySetException(failure);
            }
            else
            {
                Stored.TrySetResult(result!);
            }
        }

        public override void Fail(Exception failure) => Stored.TrySetException(failure);
    }
}
