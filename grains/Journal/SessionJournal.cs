using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Widgets.Grains.Journal;

/// <summary>When a funnel row must be stored.</summary>
public enum JournalWrite
{
    /// <summary>With the next batch (within <see cref="SessionOptions.StatsFlushInterval"/>); a crash may lose it.</summary>
    Batched,

    /// <summary>Within <see cref="SessionJournal.SoonDelay"/>, with the rows that come meanwhile; the caller learns when it is stored.</summary>
    Soon,

    /// <summary>At once (with whatever waits); the caller learns when it is stored.</summary>
    Now,
}

/// <summary>
/// Writes the sessions' funnel rows to the <see cref="IJournalStore"/> in batches, one silo-wide writer: the latest row
/// of a session replaces its earlier ones while they wait, and one transaction carries every waiting session.
/// </summary>
/// <remarks>
/// A live session's rows (its start, QR, messages) are <see cref="JournalWrite.Batched"/>: its early steps usually
/// reach the database as one row, and a row a crash loses is written again by the session's next activation (which
/// its reminder or the start-up wake-up brings). A session's final row is <see cref="JournalWrite.Soon"/>: the session
/// drops its reminder only once the row is stored, and the short wait lets many ends share one transaction. A repair
/// or a change to an ended session is <see cref="JournalWrite.Now"/>, since someone waits for it.
/// </remarks>
public sealed class SessionJournal : ILifecycleParticipant<ISiloLifecycle>, IAsyncDisposable
{
    /// <summary>How long a <see cref="JournalWrite.Soon"/> row may wait for others.</summary>
    public static readonly TimeSpan SoonDelay = TimeSpan.FromMilliseconds(500);

    private readonly IJournalStore store;
    private readonly TimeSpan linger;
    private readonly ILogger<SessionJournal> logger;
    private readonly Lock sync = new();
    private readonly SemaphoreSlim signal = new(0, 1);
    private readonly CancellationTokenSource stopping = new();
    private Dictionary<string, FunnelRow> pending = new(StringComparer.Ordinal);
    private List<TaskCompletionSource>? waiters;
    private DateTimeOffset flushAt = DateTimeOffset.MaxValue;
    private Task writer = Task.CompletedTask;

    public SessionJournal(IJournalStore store, IOptions<SessionOptions> options, ILogger<SessionJournal> logger)
    {
        this.store = store;
        this.logger = logger;
        linger = options.Value.StatsFlushInterval;
    }

    /// <summary>
    /// Queues a session's row. Unless <see cref="JournalWrite.Batched"/>, the returned task completes once the row (or
    /// a later one of the same session) is stored, and fails if its batch could not be written.
    /// </summary>
    public Task Record(FunnelRow row, JournalWrite when)
    {
        TaskCompletionSource? stored = null;
        lock (sync)
        {
            pending[row.SessionId] = row;
            if (when != JournalWrite.Batched)
            {
                stored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                (waiters ??= []).Add(stored);
            }

            var due = DateTimeOffset.UtcNow + when switch
            {
                JournalWrite.Now => TimeSpan.Zero,
                JournalWrite.Soon => SoonDelay < linger ? SoonDelay : linger,
                _ => linger,
            };
            if (due < flushAt)
            {
                flushAt = due;
                if (signal.CurrentCount == 0)
                {
                    signal.Release();
                }
            }
        }

        if (stopping.IsCancellationRequested)
        {
            // The writer has stopped (the silo is shutting down): this row goes on its own.
            _ = WriteBatch(CancellationToken.None);
        }

        return stored?.Task ?? Task.CompletedTask;
    }

    /// <summary>
    /// Stores every row queued so far, now; completes once they are stored. An erasure calls it before it looks
    /// sessions up by contact, so a live session's newest addresses are found.
    /// </summary>
    public Task Flush()
    {
        var stored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (sync)
        {
            (waiters ??= []).Add(stored);
            flushAt = DateTimeOffset.UtcNow;
            if (signal.CurrentCount == 0)
            {
                signal.Release();
            }
        }

        if (stopping.IsCancellationRequested)
        {
            _ = WriteBatch(CancellationToken.None);
        }

        return stored.Task;
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SessionJournal), ServiceLifecycleStage.ApplicationServices, Start, Stop);

    public async ValueTask DisposeAsync()
    {
        await Stop(CancellationToken.None);
        stopping.Dispose();
        signal.Dispose();
    }

    private Task Start(CancellationToken cancellationToken)
    {
        writer = Task.Run(WriteLoop, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Stops the writer after the silo's grains are gone, then stores what still waits.</summary>
    private async Task Stop(CancellationToken cancellationToken)
    {
        if (stopping.IsCancellationRequested)
        {
            return;
        }

        await stopping.CancelAsync();
        await writer;
        await WriteBatch(CancellationToken.None);
    }

    private async Task WriteLoop()
    {
        var token = stopping.Token;
        try
        {
            while (true)
            {
                TimeSpan wait;
                lock (sync)
                {
                    wait = flushAt == DateTimeOffset.MaxValue ? Timeout.InfiniteTimeSpan : flushAt - DateTimeOffset.UtcNow;
                }

                if (wait == Timeout.InfiniteTimeSpan || wait > TimeSpan.Zero)
                {
                    // Woken early when a row falls due sooner.
                    await signal.WaitAsync(wait, token);
                    continue;
                }

                await WriteBatch(token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The silo stops; Stop writes what waits.
        }
    }

    private async Task WriteBatch(CancellationToken cancellationToken)
    {
        Dictionary<string, FunnelRow> batch;
        List<TaskCompletionSource>? done;
        lock (sync)
        {
            flushAt = DateTimeOffset.MaxValue;
            (done, waiters) = (waiters, null);
            if (pending.Count == 0)
            {
                // A flush with nothing queued: everything before it is stored (the loop writes one batch at a time).
                batch = [];
            }
            else
            {
                (batch, pending) = (pending, new Dictionary<string, FunnelRow>(StringComparer.Ordinal));
            }
        }

        if (batch.Count == 0)
        {
            done?.ForEach(w => w.TrySetResult());
            return;
        }

        try
        {
            await store.UpsertFunnelRows(batch.Values, cancellationToken);
            done?.ForEach(w => w.TrySetResult());
        }
        catch (Exception ex)
        {
            // Rows of live sessions are written again by their session's end; a waiting writer learns of the failure
            // and keeps its reminder, which retries.
            logger.LogWarning(ex, "Writing {Count} funnel rows to the session journal failed; their sessions write them again", batch.Count);
            done?.ForEach(w => w.TrySetException(ex));
        }
    }
}
