using Microsoft.Extensions.Logging;
using Widgets.Keys;
using Widgets.Sessions;

namespace Widgets.Grains.Sessions;

/// <summary>
/// Wakes every session that still holds its timeout reminder, right after the silo starts and again whenever another
/// silo is declared dead.
/// </summary>
/// <remarks>
/// The reminder is what ends a session whose silo is gone, but Orleans skips the ticks it missed: after a restart a
/// session that fell due while nothing ran would end up to one reminder period (1 minute) late, and a live one would
/// have lost its precise deadline (the silo's <see cref="SessionDeadlines"/> lives in memory). The same holds in a
/// cluster for the sessions a dead silo held: their deadlines died with it, and the survivor that takes over their
/// reminders fires each at its next period. Woken, an overdue session ends at once, a live one schedules its deadline
/// again (on the silo it activates on), and an ended one whose process stopped before it dropped its reminder stores
/// its journal row and drops it. With several silos, each wakes its share (by the session's hash over the active silos
/// it sees); a silo that sees no other wakes them all. Waking one twice is harmless; one that no silo wakes (a silo
/// counted in a share died before it woke it) is woken after that silo is declared dead, or ends by its reminder.
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
        // Not awaited: the silo is ready meanwhile; the sessions end within seconds of it.
        _ = Task.Run(WakeNowAndAfterEachDeath);
        return Task.CompletedTask;
    }

    private Task Stop(CancellationToken cancellationToken) => stopping.CancelAsync();

    /// <summary>Wakes this silo's share now, then again each time a silo it knew alive is declared dead.</summary>
    private async Task WakeNowAndAfterEachDeath()
    {
        var known = membership.CurrentSnapshot;
        await Wake(Share(known), "the silo started");
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stopping.Token))
            {
                var died = snapshot.Members.Values
                    .Where(m => m.Status == SiloStatus.Dead && known.GetSiloStatus(m.SiloAddress) is not (SiloStatus.Dead or SiloStatus.None))
                    .Select(m => m.SiloAddress)
                    .ToList();
                known = snapshot;
                if (died.Count > 0 && !died.Contains(silo.SiloAddress))
                {
                    await Wake(Share(snapshot), $"{string.Join(", ", died)} died");
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The silo stops.
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Watching for dead silos stopped; the sessions they held end by their reminders");
        }
    }

    /// <summary>This silo's place among the active silos (itself included), in an order every silo agrees on.</summary>
    private (int Index, int Of) Share(ClusterMembershipSnapshot snapshot)
    {
        var active = snapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active || m.SiloAddress.Equals(silo.SiloAddress))
            .Select(m => m.SiloAddress)
            .OrderBy(a => a.ToParsableString(), StringComparer.Ordinal)
            .ToList();
        return (active.IndexOf(silo.SiloAddress), active.Count);
    }

    private async Task Wake((int Index, int Of) share, string why)
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
            logger.LogInformation("Woke {Count} sessions holding a timeout reminder (share {Index} of {Of}) in {Seconds:0.0} s, as {Why}; {Failed} failed",
                sessions.Count, share.Index + 1, share.Of, (DateTimeOffset.UtcNow - started).TotalSeconds, why, failed);
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
