using Widgets.Analytics;
using Widgets.Sessions;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Grains;

/// <summary>
/// A session ends as TimedOut when no one touches it for the widget's timeout: on time through the silo's deadline
/// scheduler, whether or not it is activated, and through its durable reminder (period
/// <see cref="WidgetsTestCluster.ReminderPeriod"/> in tests) when its silo is gone (RestartTests, SiloFailureTests).
/// </summary>
[Collection(SiloClusterCollection.Name)]
public sealed class TimeoutTests(SiloClusterFixture fixture)
{
    private static readonly TimeSpan AllowedLateness = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Session_times_out_when_left_alone()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync(timeoutSeconds: 2);
        var started = await shop.StartAsync(widget.Id);
        var session = shop.Session(started.SessionId);

        var ended = await Eventually.Returns(
            session.GetView,
            view => view!.State != SessionState.Active,
            TimeSpan.FromSeconds(15),
            "the session to end");

        Assert.Equal(SessionState.TimedOut, ended!.State);
        Assert.Equal(started.ExpiresAt, ended.ExpiresAt);
        Assert.InRange(ended.EndedAt!.Value, started.ExpiresAt, started.ExpiresAt + AllowedLateness);
        await Eventually.Holds(async () => await shop.ActiveSessionOn() is null, TimeSpan.FromSeconds(5), "the terminal to show idle");
        await Eventually.Holds(async () => await shop.CountAsync(widget.Id, WidgetCounter.TimedOut) == 1, TimeSpan.FromSeconds(5), "timedOut = 1");
    }

    [Fact]
    public async Task An_interaction_keeps_the_session_alive_past_its_first_deadline()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync(timeoutSeconds: 2);
        var started = await shop.StartAsync(widget.Id);
        var session = shop.Session(started.SessionId);
        await Eventually.ClockPasses(started.StartedAtApprox(widget.TimeoutSeconds) + TimeSpan.FromSeconds(1.2));

        var pushed = (await session.ShowQrCode(shop.Interaction(widget.Id))).Value!;
        await Eventually.ClockPasses(started.ExpiresAt + TimeSpan.FromSeconds(0.5));

        Assert.Equal(SessionState.Active, (await session.GetView())!.State);
        var ended = await Eventually.Returns(
            session.GetView,
            view => view!.State != SessionState.Active,
            pushed.ExpiresAt - DateTimeOffset.UtcNow + AllowedLateness + TimeSpan.FromSeconds(1),
            "the session to end at its pushed deadline");
        Assert.Equal(SessionState.TimedOut, ended!.State);
        Assert.InRange(ended.EndedAt!.Value, pushed.ExpiresAt, pushed.ExpiresAt + AllowedLateness);
    }

    [Fact]
    public async Task Session_times_out_after_its_activation_is_gone()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync(timeoutSeconds: 2);
        var started = await shop.StartAsync(widget.Id);
        var session = shop.Session(started.SessionId);

        // The activation goes away; the silo's deadline scheduler and the durable reminder are left to end the session.
        await fixture.Cluster.DeactivateAsync(session);
        Assert.False(fixture.Cluster.TryGetGrainContext(session.GetGrainId(), out _), "the session should have no activation");

        // Observe without calling the session grain (a call would reactivate it, and activation alone ends an
        // overdue session): the terminal shows idle once the session reports its end to the location.
        var bound = started.ExpiresAt + WidgetsTestCluster.ReminderPeriod + TimeSpan.FromSeconds(3);
        await Eventually.Holds(async () => await shop.ActiveSessionOn() is null, bound - DateTimeOffset.UtcNow, "the terminal to show idle");
        Assert.True(DateTimeOffset.UtcNow <= bound);
        await Eventually.Holds(async () => await shop.CountAsync(widget.Id, WidgetCounter.TimedOut) == 1, TimeSpan.FromSeconds(5), "timedOut = 1");

        var view = await session.GetView();
        Assert.Equal(SessionState.TimedOut, view!.State);
        Assert.InRange(view.EndedAt!.Value, started.ExpiresAt, bound);
    }

    [Fact]
    public async Task Session_whose_activation_is_gone_still_ends_on_its_deadline_before_the_next_reminder_tick()
    {
        // Timeline (reminder due at start + 4 s, then every 5 s): at +1.5 s the QR code pushes the deadline to
        // about +5.5 s; at +2 s the activation is removed; the reminder tick at +4 s finds nothing due and the next
        // is at +9 s. The silo's deadline scheduler must wake the session at +5.5 s without anyone calling it.
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync(timeoutSeconds: 4);
        var started = await shop.StartAsync(widget.Id);
        var startedAt = started.StartedAtApprox(widget.TimeoutSeconds);
        var session = shop.Session(started.SessionId);
        await Eventually.ClockPasses(startedAt + TimeSpan.FromSeconds(1.5));
        var pushed = (await session.ShowQrCode(shop.Interaction(widget.Id))).Value!;
        await fixture.Cluster.DeactivateAsync(session);

        // Watched through the location, which the session tells when it ends: asking the session would activate it.
        await Eventually.Holds(async () => await shop.ActiveSessionOn() is null, TimeSpan.FromSeconds(8), "the session to end");

        var view = await session.GetView();
        Assert.Equal(SessionState.TimedOut, view!.State);
        Assert.InRange(view.EndedAt!.Value, pushed.ExpiresAt, pushed.ExpiresAt + TimeSpan.FromSeconds(2));
        Assert.True(view.EndedAt < startedAt + TimeSpan.FromSeconds(9), "it must end before the next reminder tick");
    }
}

internal static class SessionStartedExtensions
{
    /// <summary>When the session started, as far as the caller can tell: its first deadline minus the timeout.</summary>
    public static DateTimeOffset StartedAtApprox(this SessionStarted started, int timeoutSeconds) =>
        started.ExpiresAt - TimeSpan.FromSeconds(timeoutSeconds);
}
