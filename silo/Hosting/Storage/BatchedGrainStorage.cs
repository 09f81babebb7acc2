using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Widgets.Hosting.Storage;

/// <summary>
/// The embedded grain storage: reads and clears go to Orleans' ADO.NET provider (clears through the
/// <see cref="SqliteWriteGate"/>), while writes are queued and stored by one writer, many per transaction (a group
/// commit). Each caller's write completes only once the transaction holding it has committed, so a write answered
/// is exactly as durable as before (see <c>deploy/sql/sqlite/0003_commit_without_fsync.sql</c>).
/// </summary>
/// <remarks>
/// Why: SQLite takes one writer at a time, so every grain write waited for the gate and then paid, alone, a
/// connection from the pool, the compilation of the write query (Microsoft.Data.Sqlite keeps no statement cache across
/// commands), a transaction with its WAL commit and the locks around it. Under the POS flow the gate was busy ~75 % of
/// the time at ~250 µs per write, which capped the flow regardless of the cores left. Here the query is compiled once
/// on the writer's own connection and every write waiting when the writer comes round shares one transaction.
/// <para>
/// The rows are the ones the ADO.NET provider reads and writes (same columns, hashes and versions, the same stored
/// <c>WriteToStorageKey</c> query from <c>OrleansQuery</c>), so both can be used on one database and earlier data
/// directories keep working. A statement that fails fails only its own write (SQLite undoes just that statement);
/// a transaction that cannot commit fails every write in it.
/// </para>
/// </remarks>
public sealed class BatchedGrainStorage : IGrainStorage, IAsyncDisposable
{
    /// <summary>At most this many writes share a transaction, so one batch cannot hold the gate for long.</summary>
    public const int MaxBatch = 256;

    private readonly IGrainStorage inner;
    private readonly SqliteWriteGate gate;
    private readonly string connectionString;
    private readonly string serviceId;
    private readonly string providerName;
    private readonly IGrainStorageSerializer serializer;
    private readonly IStorageHasherPicker hashPicker;
    private readonly ILogger<BatchedGrainStorage> logger;
    private readonly Channel<PendingWrite> queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource stopping = new();
    private readonly Lazy<Task> writer;
    private SqliteConnection? connection;
    private SqliteCommand? write;

    public BatchedGrainStorage(
        IGrainStorage inner,
        SqliteWriteGate gate,
        string connectionString,
        string serviceId,
        string providerName,
        IGrainStorageSerializer serializer,
        IStorageHasherPicker? hashPicker,
        ILogger<BatchedGrainStorage> logger)
    {
        this.inner = inner;
        this.gate = gate;
        this.connectionString = connectionString;
        this.serviceId = serviceId;
        this.providerName = providerName;
        this.serializer = serializer;
        this.hashPicker = hashPicker ?? new StorageHasherPicker([new OrleansDefaultHasher()]);
        this.logger = logger;

        // Started by the first write: by then the silo has migrated the database.
        writer = new Lazy<Task>(() => Task.Run(() => WriteLoop(stopping.Token)));
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        gate.Run(() => inner.ClearStateAsync(stateName, grainId, grainState));

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (stateName.Contains('`', StringComparison.Ordinal))
        {
            // A generic state type's name, which the ADO.NET provider rewrites first: leave those to it.
            await gate.Run(() => inner.WriteStateAsync(stateName, grainId, grainState));
            return;
        }

        var row = RowOf(stateName, grainId, grainState);
        var expected = string.IsNullOrWhiteSpace(grainState.ETag) ? (int?)null : int.Parse(grainState.ETag, CultureInfo.InvariantCulture);
        var pending = new PendingWrite(row, serializer.Serialize(grainState.State).ToArray(), expected);
        _ = writer.Value;
        if (!queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(BatchedGrainStorage), "The silo is stopping; the write was not stored.");
        }

        var stored = await pending.Stored.Task;

        // No row back: another activation wrote first (or a first write found a row).
        if (stored is not { } version)
        {
            throw new InconsistentStateException(
                $"Version conflict (WriteState): ServiceId={serviceId} ProviderName={providerName} GrainType={stateName} GrainId={grainId} ETag={grainState.ETag}.",
                storedEtag: null, currentEtag: grainState.ETag);
        }

        grainState.ETag = version.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        if (writer.IsValueCreated)
        {
            // What is queued is still stored; only then does the writer stop.
            await writer.Value.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await stopping.CancelAsync();
        stopping.Dispose();
        write?.Dispose();
        if (connection is not null)
        {
            await connection.DisposeAsync();
        }
    }

    /// <summary>The row's identity as the ADO.NET provider computes it (its <c>AdoGrainKey</c> and hashes).</summary>
    private RowKey RowOf<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        long n0 = 0, n1 = 0;
        string? extension;
        byte[] hashBytes;
        if (grainId.TryGetGuidKey(out var guid, out extension))
        {
            var guidBytes = guid.ToByteArray();
            n0 = BitConverter.ToInt64(guidBytes, 0);
            n1 = BitConverter.ToInt64(guidBytes, 8);
            hashBytes = WithExtension(guidBytes, extension);
        }
        else if (grainId.TryGetIntegerKey(out var integer, out extension))
        {
            n1 = integer;
            hashBytes = WithExtension(BitConverter.GetBytes(integer), extension);
        }
        else
        {
            extension = grainId.Key.ToString();
            hashBytes = Encoding.UTF8.GetBytes(extension);
        }

        if (BitConverter.IsLittleEndian)
        {
            Array.Reverse(hashBytes);
        }

        var hasher = hashPicker.PickHasher(serviceId, providerName, stateName, grainId, grainState)
            ?? throw new InvalidOperationException($"The storage's hash picker offers no hasher for {stateName}.");
        return new RowKey(hasher.Hash(hashBytes), n0, n1, hasher.Hash(Encoding.UTF8.GetBytes(stateName)), stateName, extension);

        static byte[] WithExtension(byte[] key, string? extension) =>
            extension is null ? key : [.. key, .. Encoding.UTF8.GetBytes(extension)];
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
                }
                catch (Exception ex)
                {
                    logger.LogError(ex, "A batch of {Count} grain writes could not be committed to SQLite; each write reports the failure to its grain", batch.Count);
                    ResetConnection();
                    foreach (var pending in batch)
                    {
                        pending.Stored.TrySetException(ex);
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
                left.Stored.TrySetException(new ObjectDisposedException(nameof(BatchedGrainStorage), "The silo stopped before the write was stored."));
            }
        }
    }

    private Task Store(List<PendingWrite> batch)
    {
        var command = Command();
        var versions = new int?[batch.Count];
        var failures = new Exception?[batch.Count];
        using (var transaction = connection!.BeginTransaction(deferred: false))
        {
            command.Transaction = transaction;
            for (var i = 0; i < batch.Count; i++)
            {
                try
                {
                    versions[i] = Execute(command, batch[i]);
                }
                catch (SqliteException ex)
                {
                    failures[i] = ex;
                }
            }

            transaction.Commit();
        }

        for (var i = 0; i < batch.Count; i++)
        {
            if (failures[i] is { } failure)
            {
                batch[i].Stored.TrySetException(failure);
            }
            else
            {
                batch[i].Stored.TrySetResult(versions[i]);
            }
        }

        return Task.CompletedTask;
    }

    private int? Execute(SqliteCommand command, PendingWrite pending)
    {
        var p = command.Parameters;
        var row = pending.Row;
        p["@GrainIdHash"].Value = row.GrainIdHash;
        p["@GrainIdN0"].Value = row.N0;
        p["@GrainIdN1"].Value = row.N1;
        p["@GrainTypeHash"].Value = row.GrainTypeHash;
        p["@GrainTypeString"].Value = row.GrainTypeString;
        p["@GrainIdExtensionString"].Value = (object?)row.Extension ?? DBNull.Value;
        p["@ServiceId"].Value = serviceId;
        p["@GrainStateVersion"].Value = (object?)pending.ExpectedVersion ?? DBNull.Value;
        p["@PayloadBinary"].Value = pending.Payload;

        using var result = command.ExecuteReader();
        do
        {
            if (result.FieldCount > 0 && result.Read() && !result.IsDBNull(0))
            {
                return result.GetInt32(0);
            }
        }
        while (result.NextResult());

        return null;
    }

    /// <summary>The writer's connection and its compiled write query, opened on first use and after a failure.</summary>
    private SqliteCommand Command()
    {
        if (write is not null)
        {
            return write;
        }

        connection = new SqliteConnection(connectionString);
        connection.Open();
        using (var setup = connection.CreateCommand())
        {
            // The stored query sets this per call (pooled connections); on this connection it is set once, since a
            // PRAGMA inside the batch's transaction would be a no-op at best.
            setup.CommandText = "PRAGMA synchronous = NORMAL";
            setup.ExecuteNonQuery();
        }

        string query;
        using (var lookup = connection.CreateCommand())
        {
            lookup.CommandText = "SELECT QueryText FROM OrleansQuery WHERE QueryKey = 'WriteToStorageKey'";
            query = lookup.ExecuteScalar() as string
                ?? throw new InvalidOperationException("OrleansQuery has no WriteToStorageKey: the database was not migrated. Start the silo, which migrates it.");
        }

        var command = connection.CreateCommand();
        command.CommandText = WithoutLeadingPragma(query);
        foreach (var name in new[] { "GrainIdHash", "GrainIdN0", "GrainIdN1", "GrainTypeHash", "GrainTypeString", "GrainIdExtensionString", "ServiceId", "GrainStateVersion", "PayloadBinary" })
        {
            command.Parameters.Add(new SqliteParameter("@" + name, DBNull.Value));
        }

        command.Prepare();
        return write = command;
    }

    private static string WithoutLeadingPragma(string query)
    {
        var text = query.TrimStart();
        return text.StartsWith("PRAGMA", StringComparison.OrdinalIgnoreCase) ? text[(text.IndexOf(';', StringComparison.Ordinal) + 1)..] : text;
    }

    private void ResetConnection()
    {
        write?.Dispose();
        write = null;
        connection?.Dispose();
        connection = null;
    }

    private readonly record struct RowKey(int GrainIdHash, long N0, long N1, int GrainTypeHash, string GrainTypeString, string? Extension);

    private sealed class PendingWrite(RowKey row, byte[] payload, int? expectedVersion)
    {
        public RowKey Row { get; } = row;

        public byte[] Payload { get; } = payload;

        public int? ExpectedVersion { get; } = expectedVersion;

        public TaskCompletionSource<int?> Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
