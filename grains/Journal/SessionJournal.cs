using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Widgets.Grains.Journal;

/// <summary>
/// Writes the sessions' funnel rows to the <see cref="IJournalStore"/> in batches, one silo-wide writer: the latest row
/// of a session replaces its earlier ones while they wait, and one transaction carries every waiting session.
/// </summary>
/// <remarks>
/// Two kinds of write. A row that must be stored before its session goes on (its end, before it drops the reminder
/// that would repair a lost row) is written at once, together with whatever waits. Other rows (a start, a QR shown,
/// a message) wait up to <see cref="SessionOptions.StatsFlushInterval"/>, so a session's early steps usually reach
/// the database as one row; a crash may lose them, and the session's next activation (which its reminder or the
/// start-up wake-up brings) writes its row again.
/// </remarks>
public sealed class SessionJournal : ILifecycleParticipant<ISiloLifecycle>, IAsyncDisposable
{
    private readonly IJournalStore store;
    private readonly TimeSpan linger;
    private readonly ILogger<SessionJournal> logger;
    private readonly Lock sync = new();
    private readonly SemaphoreSlim signal = new(0, 1);
    private readonly CancellationTokenSource stopping = new();
    private Dictionary<string, FunnelRow> pending = new(StringComparer.Ordinal);
    private List<TaskCompletionSource>? waiters;
    private Task writer = Task.CompletedTask;

    public SessionJournal(IJournalStore store, IOptions<SessionOptions> options, ILogger<SessionJournal> logger)
    {
        this.store = store;
        this.logger = logger;
        linger = options.Value.StatsFlushInterval;
    }

    /// <summary>
    /// Queues a session's row. With <paramref name="durable"/>, the returned task completes once the row (or a later
    /// one of the same session) is stored, and fails if the batch could not be written.
    /// </summary>
    public Task Record(FunnelRow row, bool durable)
    {
        TaskCompletionSource? stored = null;
        lock (sync)
        {
            var first = pending.Count == 0;
            pending[row.SessionId] = row;
            if (durable)
            {
                stored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                (waiters ??= []).Add(stored);
            }

            // The writer wakes for the first waiting row (to start its linger) and for every durable one (to cut it short).
            if ((first || durable) && signal.CurrentCount == 0)
            {
                signal.Release();
            }
        }

        if (stopping.IsCancellationRequested)
        {
            // The writer has stopped (the silo is shutting down): this row goes on its own.
            _ = WriteBatch(CancellationToken.None);
        }

        return stored?.Task ?? Task.CompletedTask;
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
                await signal.WaitAsync(token);
                bool urgent;
                lock (sync)
                {
                    urgent = waiters is not null;
                }

                if (!urgent)
                {
                    // Returns early when a durable row arrives meanwhile.
                    await signal.WaitAsync(linger, token);
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
            if (pending.Count == 0)
            {
                return;
            }

            (batch, pending) = (pending, new Dictionary<string, FunnelRow>(StringComparer.Ordinal));
            (done, waiters) = (waiters, null);
        }

        try
        {
            await store.UpsertFunnelRows(batch.Values, cancellationToken);
            done?.ForEach(w => w.TrySetResult());
        }
        catch (Exception ex)
        {
            // Rows of live sessions are written again by their session's end; a durable writer learns of the failure
            // and keeps its reminder, which retries.
            logger.LogWarning(ex, "Writing {Count} funnel rows to the session journal failed; their sessions write them again", batch.Count);
            done?.ForEach(w => w.TrySetException(ex));
        }
    }
}
