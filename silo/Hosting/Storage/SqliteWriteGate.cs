using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Widgets.Hosting.Storage;

/// <summary>
/// Lets one write at a time reach the embedded SQLite database.
/// </summary>
/// <remarks>
/// SQLite allows a single writer. When two writers meet, Microsoft.Data.Sqlite does not wait for the lock to
/// free up: it sleeps 150 ms on the calling thread and retries, so under load colliding grain writes slept far
/// longer than they wrote and throughput fell as concurrency rose. Queuing them here instead costs one write's
/// duration per waiter. Reads need no gate: in WAL mode readers never block the writer.
/// </remarks>
public sealed class SqliteWriteGate
{
    // One gate per database file, so silos sharing a process (a test cluster) also share it.
    private static readonly ConcurrentDictionary<string, SqliteWriteGate> ByFile = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim gate = new(1, 1);

    private SqliteWriteGate()
    {
    }

    public static SqliteWriteGate For(string connectionString) =>
        ByFile.GetOrAdd(Path.GetFullPath(new SqliteConnectionStringBuilder(connectionString).DataSource), _ => new SqliteWriteGate());

    public async Task<T> Run<T>(Func<Task<T>> write)
    {
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            return await write().ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    public Task Run(Func<Task> write) => Run(async () =>
    {
        await write().ConfigureAwait(false);
        return true;
    });
}
