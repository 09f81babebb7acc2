using Microsoft.Extensions.Logging;
using Widgets.Keys;
using Widgets.Sessions;

namespace Widgets.Grains.Sessions;

/// <summary>
/// Wakes every session that still holds its timeout reminder, right after the silo starts.
/// </summary>
/// <remarks>
/// The reminder is what ends a session whose silo is gone, but Orleans skips the ticks it missed: after a restart a
/// session that fell due while nothing ran would end up to one reminder period (1 minute) late, and a live one would
/// have lost its precise deadline (the silo's <see cref="SessionDeadlines"/> lives in memory). Woken, an overdue
/// session ends at once, a live one schedules its deadline again, and an ended one whose process stopped before it
/// dropped its reminder stores its journal row and drops it. With several silos, each wakes its share (by the
/// session's hash over the active silos it sees at start); a silo that sees no other wakes them all. Waking one twice
/// is harmless; one that no silo wakes still ends by its reminder.
/// </remarks>
public sealed class SessionWakeUp(
    IReminderTable reminders,
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    IGrainFactory grains,
    ILogger<SessionWakeUp> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private const int Parallelism = 16;
    private readonly CancellationTokenSource stopping = new();

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SessionWakeUp), ServiceLifecycleStage.Active, Start, Stop);

    private Task Start(CancellationToken cancellationToken)
    {
        var active = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active || m.SiloAddress.Equals(silo.SiloAddress))
            .Select(m => m.SiloAddress)
            .OrderBy(a => a.ToParsableString(), StringComparer.Ordinal)
            .ToList();
        var share = (Index: active.IndexOf(silo.SiloAddress), Of: active.Count);

        // Not awaited: the silo is ready meanwhile; the sessions end within seconds of it.
        _ = Task.Run(() => Wake(share));
        return Task.CompletedTask;
    }

    private Task Stop(CancellationToken cancellationToken) => stopping.CancelAsync();

    private async Task Wake((int Index, int Of) share)
    {
        var started = DateTimeOffset.UtcNow;
        try
        {
            var sessionType = grains.Grain<IWidgetSessionGrain>("type-probe").GetGrainId().Type;

            // The same begin and end: the whole ring.
            var rows = await reminders.ReadRows(0, 0);
            var sessions = rows.Reminders
                .Where(r => r.ReminderName == WidgetSessionGrain.TimeoutReminder && r.GrainId.Type == sessionType
                    && r.GrainId.GetUniformHashCode() % (uint)share.Of == share.Index)
                .Select(r => r.GrainId)
                .Distinct()
                .ToList();
            var failed = 0;
            await Parallel.ForEachAsync(sessions, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = stopping.Token }, async (session, _) =>
            {
                try
                {
                    await grains.Grain<IWidgetSessionGrain>(session).ExpireIfDue();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Its reminder still ends it within a period.
                    Interlocked.Increment(ref failed);
                    logger.LogDebug(ex, "Waking session {Session} failed", session);
                }
            });
            logger.LogInformation("Woke {Count} sessions holding a timeout reminder (share {Index} of {Of}) in {Seconds:0.0} s; {Failed} failed",
                sessions.Count, share.Index + 1, share.Of, (DateTimeOffset.UtcNow - started).TotalSeconds, failed);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The silo stops.
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Waking the sessions that hold a timeout reminder failed; their reminders end them within a period");
        }
    }
}
