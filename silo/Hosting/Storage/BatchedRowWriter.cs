using System.Threading.Channels;

namespace Widgets.Hosting.Storage;

/// <summary>
/// What both row writers share (<see cref="SqliteBatchWriter"/>, <see cref="PostgresBatchWriter"/>): writes wait in a
/// queue; one loop takes every write waiting when it comes round (up to <see cref="MaxBatch"/>) and hands them to
/// <see cref="StoreBatch"/>, which stores them in one transaction and answers each. Stopping stores what is queued,
/// then refuses the rest.
/// </summary>
public abstract class BatchedRowWriter : IStorageRowWriter, IAsyncDisposable
{
    /// <summary>At most this many writes share a transaction, so one batch cannot hold its locks (or SQLite's gate) for long.</summary>
    public const int MaxBatch = 256;

    private readonly Channel<PendingRow> queue = Channel.CreateUnbounded<PendingRow>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource stopping = new();
    private readonly Lazy<Task> loop;
    private int waiting;
    private int disposed;

    protected BatchedRowWriter()
    {
        // Started by the first write: by then the silo has migrated the database.
        loop = new Lazy<Task>(() => Task.Run(() => Loop(stopping.Token)));
    }

    /// <summary>Writes queued and not yet taken into a batch.</summary>
    public int Waiting => Volatile.Read(ref waiting);

    public Task<long?> Write(string queryKey, IReadOnlyList<StoredQueryParameter> parameters)
    {
        _ = loop.Value;
        var pending = new PendingRow(queryKey, parameters);
        Interlocked.Increment(ref waiting);
        if (!queue.Writer.TryWrite(pending))
        {
            Interlocked.Decrement(ref waiting);
            throw new ObjectDisposedException(GetType().Name, "The silo is stopping; the write was not stored.");
        }

        return pending.Stored.Task;
    }

    public abstract Task WriteAlone(Func<Task> write);

    public async ValueTask DisposeAsync()
    {
        // Registered as itself and as IStorageRowWriter, so the container disposes it twice.
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        queue.Writer.TryComplete();
        if (loop.IsValueCreated)
        {
            // What is queued is still stored; only then does the writer stop.
            await loop.Value.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await stopping.CancelAsync();
        stopping.Dispose();
        await CloseConnection();
        GC.SuppressFinalize(this);
    }

    /// <summary>Stores <paramref name="batch"/> in one transaction and completes or fails every write in it.</summary>
    protected abstract Task StoreBatch(List<PendingRow> batch, CancellationToken cancellationToken);

    /// <summary>Closes the writer's own connection: after a failure (the next batch opens a new one) and when stopping.</summary>
    protected abstract ValueTask CloseConnection();

    private async Task Loop(CancellationToken cancellationToken)
    {
        var batch = new List<PendingRow>(MaxBatch);
        var reader = queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && reader.TryRead(out var pending))
                {
                    Interlocked.Decrement(ref waiting);
                    batch.Add(pending);
                }

                await StoreBatch(batch, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            batch.ForEach(p => p.Fail(new ObjectDisposedException(GetType().Name, "The silo stopped before the write was stored.")));
        }
        finally
        {
            // Nothing waits for ever: writes queued after the writer stopped are refused.
            while (reader.TryRead(out var left))
            {
                left.Fail(new ObjectDisposedException(GetType().Name, "The silo stopped before the write was stored."));
            }
        }
    }

    /// <summary>One queued write: its stored query, parameters, and the caller's answer.</summary>
    protected sealed class PendingRow(string queryKey, IReadOnlyList<StoredQueryParameter> parameters)
    {
        public string QueryKey { get; } = queryKey;

        public IReadOnlyList<StoredQueryParameter> Parameters { get; } = parameters;

        /// <summary>The first value of the first row the statement returned, set when it ran.</summary>
        public long? Result { get; set; }

        /// <summary>Why this statement alone failed (the rest of its batch may still commit).</summary>
        public Exception? Failure { get; set; }

        public TaskCompletionSource<long?> Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Answers the caller once the batch has committed: the result, or this statement's own failure.</summary>
        public void Complete()
        {
            if (Failure is not null)
            {
                Stored.TrySetException(Failure);
            }
            else
            {
                Stored.TrySetResult(Result);
            }
        }

        public void Fail(Exception failure) => Stored.TrySetException(failure);
    }
}
