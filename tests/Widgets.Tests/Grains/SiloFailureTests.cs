using Orleans.TestingHost;
using Widgets.Analytics;
using Widgets.Sessions;
using Widgets.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Widgets.Tests.Grains;

/// <summary>
/// A silo dies with a session on it: the session's durable reminder still ends it on a surviving silo, and the
/// survivors' wake-up, once the silo is declared dead, ends it within seconds rather than a reminder period.
/// </summary>
public sealed class SiloFailureTests(ITestOutputHelper output) : OwnClusterTest
{
    [Fact]
    public async Task Session_times_out_when_its_silo_dies()
    {
        var shop = await TestShop.OpenAsync(await StartClusterAsync());
        var widget = await shop.AddWidgetAsync(timeoutSeconds: 2);
        var secondary = Cluster!.SecondarySilos[0];
        var started = await StartOnSiloAsync(shop, widget.Id, secondary);

        var killedAt = DateTimeOffset.UtcNow;
        await Cluster.KillSiloAsync(secondary);

        // Observed through the stats only: the location may have died with the silo, and calling the session would
        // activate it elsewhere, which ends an overdue session by itself. The bound allows one reminder period and
        // a few seconds for the cluster to declare the silo dead.
        var bound = started.ExpiresAt + WidgetsTestCluster.ReminderPeriod + TimeSpan.FromSeconds(5);
        await Eventually.Holds(
            async () => await shop.CountAsync(widget.Id, WidgetCounter.TimedOut) == 1,
            bound - DateTimeOffset.UtcNow,
            "the session to time out on the surviving silo");
        output.WriteLine($"Timed out {(DateTimeOffset.UtcNow - killedAt).TotalSeconds:0.0} s after the kill, "
            + $"{(DateTimeOffset.UtcNow - started.ExpiresAt).TotalSeconds:0.0} s after the deadline.");

        // The reminder woke it on the surviving silo (nothing else calls it, and the session left the primary's
        // deadline scheduler when it migrated); an ended session frees its activation, so only its record is left.
        var view = await shop.Session(started.SessionId).GetView();
        Assert.Equal(SessionState.TimedOut, view!.State);
        Assert.InRange(view.EndedAt!.Value, started.ExpiresAt, bound);
    }

    [Fact]
    public async Task A_touched_session_of_a_dead_silo_ends_on_its_deadline_not_at_the_next_reminder_tick()
    {
        // Production's reminder period. The reminder ticks first at the session's first deadline; a session the POS
        // touched meanwhile is still active then, and its later deadline lives only in its silo's memory. With that
        // silo dead, its reminder would tick again a minute later.
        var reminderPeriod = TimeSpan.FromMinutes(1);
        var shop = await TestShop.OpenAsync(await StartClusterAsync(reminderPeriod));
        var widget = await shop.AddWidgetAsync(timeoutSeconds: 4);
        var secondary = Cluster!.SecondarySilos[0];
        var started = await StartOnSiloAsync(shop, widget.Id, secondary);
        await Eventually.ClockPasses(started.ExpiresAt - TimeSpan.FromSeconds(1.5));
        var touched = await shop.Session(started.SessionId).ShowQrCode(shop.Interaction(widget.Id));
        var deadline = touched.Value!.ExpiresAt;
        await Eventually.ClockPasses(started.ExpiresAt + TimeSpan.FromSeconds(0.5));
        Assert.True(DateTimeOffset.UtcNow < deadline, "the silo must die before the session's deadline for the test to mean anything");

        var killedAt = DateTimeOffset.UtcNow;
        await Cluster.KillSiloAsync(secondary);

        // Observed through the stats only, as above. The bound: the deadline, the seconds the cluster takes to declare
        // the silo dead, and a margin for a loaded machine; far less than the reminder period.
        var bound = deadline + TimeSpan.FromSeconds(20);
        await Eventually.Holds(
            async () => await shop.CountAsync(widget.Id, WidgetCounter.TimedOut) == 1,
            bound - DateTimeOffset.UtcNow,
            "the session to time out on the surviving silo");
        output.WriteLine($"Timed out {(DateTimeOffset.UtcNow - killedAt).TotalSeconds:0.0} s after the kill, "
            + $"{(DateTimeOffset.UtcNow - deadline).TotalSeconds:0.0} s after the deadline (reminder period {reminderPeriod.TotalSeconds:0} s).");
    }

    /// <summary>Starts a session and, if it was placed elsewhere, migrates it to <paramref name="silo"/>.</summary>
    private async Task<SessionStarted> StartOnSiloAsync(TestShop shop, int widgetId, SiloHandle silo)
    {
        var started = await shop.StartAsync(widgetId);
        var session = shop.Session(started.SessionId);
        if (!IsOn(session, silo))
        {
            await Cluster!.MigrateAsync(session, silo.SiloAddress);
            Assert.Equal(SessionState.Active, (await session.GetView())!.State);
        }

        Assert.True(IsOn(session, silo), "the session should be activated on the secondary silo");
        return started;
    }

    private bool IsOn(IWidgetSessionGrain session, SiloHandle silo) =>
        Cluster!.TryGetGrainContext(session.GetGrainId(), out var context) && silo.SiloAddress.Equals(context.Address.SiloAddress);
}
