using Microsoft.Extensions.Logging;
using Widgets.Keys;
using Widgets.Sessions;

namespace Widgets.Grains.Sessions;

/// <summary>
/// Wakes sessions on their deadline: one timer for the whole silo, armed for the earliest deadline.
/// </summary>
/// <remarks>
/// This is the precise path; the session's reminder is the durable one (it survives the silo). A grain timer per
/// session did the same job for ~300 bytes per live session; an entry here costs a tenth of that. A deadline
/// that moved or was cancelled leaves a stale queue entry behind, recognised by comparing with the latest one.
/// </remarks>
public sealed class SessionDeadlines : IDisposable
{
    private readonly IGrainFactory grains;
    private readonly TimeProvider clock;
    private readonly ILogger<SessionDeadlines> logger;
    private readonly Lock sync = new();
    private readonly PriorityQueue<GrainId, DateTimeOffset> queue = new();
    private readonly Dictionary<GrainId, DateTimeOffset> latest = [];
    private readonly ITimer timer;
    private DateTimeOffset armedFor = DateTimeOffset.MaxValue;

    public SessionDeadlines(IGrainFactory grains, TimeProvider clock, ILogger<SessionDeadlines> logger)
    {
        this.grains = grains;
        this.clock = clock;
        this.logger = logger;
        timer = clock.CreateTimer(_ => Fire(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Calls the session's <see cref="IWidgetSessionGrain.ExpireIfDue"/> at <paramref name="due"/>, replacing its earlier deadline.</summary>
    public void Schedule(GrainId session, DateTimeOffset due)
    {
        lock (sync)
        {
            if (latest.TryGetValue(session, out var current) && current == due)
            {
                return;
            }

            latest[session] = due;
            queue.Enqueue(session, due);
            if (due < armedFor)
            {
                Arm(due);
            }
        }
    }

    public void Cancel(GrainId session)
    {
        lock (sync)
        {
            latest.Remove(session);
        }
    }

    public void Dispose() => timer.Dispose();

    private void Arm(DateTimeOffset due)
    {
        armedFor = due;
        var delay = due - clock.GetUtcNow();
        timer.Change(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private void Fire()
    {
        var due = new List<GrainId>();
        lock (sync)
        {
            var now = clock.GetUtcNow();
            while (queue.TryPeek(out var session, out var at) && at <= now)
            {
                queue.Dequeue();
                if (latest.TryGetValue(session, out var current) && current == at)
                {
                    latest.Remove(session);
                    due.Add(session);
                }
            }

            armedFor = DateTimeOffset.MaxValue;
            if (queue.TryPeek(out _, out var next))
            {
                Arm(next);
            }
        }

        foreach (var session in due)
        {
            _ = Wake(session);
        }
    }

    private async Task Wake(GrainId session)
    {
        try
        {
            await grains.Grain<IWidgetSessionGrain>(session).ExpireIfDue();
        }
        catch (Exception ex)
        {
            // The reminder ends the session within its period; log so a pattern of failures is visible.
            logger.LogWarning(ex, "Waking session {Session} on its deadline failed; its reminder will end it", session);
        }
    }
}
