namespace Widgets.Hosting.Storage;

/// <summary>
/// Where <see cref="BatchedGrainStorage"/> and <see cref="BatchedReminderTable"/> send their row writes: Orleans' stored
/// queries (the database's <c>OrleansQuery</c> table), run in batches of whatever is waiting, one transaction per batch
/// (a group commit). A write is answered only once the transaction holding it has committed, so it is exactly as durable
/// as one stored alone. <see cref="SqliteBatchWriter"/> (embedded) and <see cref="PostgresBatchWriter"/> (cluster).
/// </summary>
public interface IStorageRowWriter
{
    /// <summary>
    /// Runs the stored query <paramref name="queryKey"/> with <paramref name="parameters"/> (names without <c>@</c>, the
    /// same names in the same order on every call for one query) in the next batch, and answers the first value of the
    /// first row it returned (null when none) once that batch has committed.
    /// </summary>
    Task<long?> Write(string queryKey, IReadOnlyList<StoredQueryParameter> parameters);

    /// <summary>Runs a write the batches do not carry (the ADO.NET provider's own clear), as the database needs it run.</summary>
    Task WriteAlone(Func<Task> write);
}

/// <summary>One parameter of a stored query: its name without <c>@</c> and its value (null for SQL NULL).</summary>
public readonly record struct StoredQueryParameter(string Name, object? Value);
