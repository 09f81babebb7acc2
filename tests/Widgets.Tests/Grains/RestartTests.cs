using Widgets.Analytics;
using Widgets.Catalogue;
using Widgets.Sessions;
using Widgets.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Widgets.Tests.Grains;

/// <summary>
/// A whole cluster stops and a new one starts on the same SQLite file (same service id, so the same storage and
/// reminder rows): what was stored must still be there, and sessions whose deadline passed while nothing ran must
/// still end.
/// </summary>
public sealed class SessionRestartTests(ITestOutputHelper output) : OwnClusterTest
{
    [Fact]
    public async Task Overdue_session_times_out_after_a_full_cluster_restart_without_being_called()
    {
        var shop = await TestShop.OpenAsync(await StartClusterAsync());
        var widget = await shop.AddWidgetAsync(timeoutSeconds: TimeoutSeconds);
        var started = await shop.StartAsync(widget.Id);
        await Eventually.Holds(async () => await shop.CountAsync(widget.Id, WidgetCounter.Started) == 1, TimeSpan.FromSeconds(5), "started = 1");
        await StopClusterAsync();
        output.WriteLine($"Stopped {(started.ExpiresAt - DateTimeOffset.UtcNow).TotalSeconds:0.0} s before the deadline.");
        Assert.True(DateTimeOffset.UtcNow < started.ExpiresAt, "the cluster must stop before the deadline for the test to mean anything");

        await Eventually.ClockPasses(started.ExpiresAt);
        // The overdue reminder may fire while the new silo is still starting (a loaded machine starts slowly): the
        // window opens when the restart begins.
        var restartedAt = DateTimeOffset.UtcNow;
        shop = shop.On(await StartClusterAsync());

        // Only the reminder can end it: nothing calls the session grain until the location has been told.
        Assert.False(Cluster!.TryGetGrainContext(shop.Session(started.SessionId).GetGrainId(), out _));
        var bound = restartedAt + WidgetsTestCluster.ReminderPeriod + TimeSpan.FromSeconds(3);
        await Eventually.Holds(async () => await shop.ActiveSessionOn() is null, bound - DateTimeOffset.UtcNow, "the terminal to show idle after the restart");
        output.WriteLine($"Ended {(DateTimeOffset.UtcNow - restartedAt).TotalSeconds:0.0} s after the new cluster started, "
            + $"{(DateTimeOffset.UtcNow - started.ExpiresAt).TotalSeconds:0.0} s after the deadline.");
        await Eventually.Holds(async () => await shop.CountAsync(widget.Id, WidgetCounter.TimedOut) == 1, TimeSpan.FromSeconds(5), "timedOut = 1");
        Assert.Equal(1, await shop.CountAsync(widget.Id, WidgetCounter.Started));

        var view = await shop.Session(started.SessionId).GetView();
        Assert.Equal(SessionState.TimedOut, view!.State);
        Assert.InRange(view.EndedAt!.Value, restartedAt, bound);
    }

    private const int TimeoutSeconds = 4;
}

public sealed class CatalogueRestartTests : OwnClusterTest
{
    [Fact]
    public async Task Catalogue_and_terminals_survive_a_full_cluster_restart()
    {
        var shop = await TestShop.OpenAsync(await StartClusterAsync(), "lane-1", "lane-2");
        var kept = await shop.AddWidgetAsync(TestShop.Draft(WidgetType.CouponDelivery) with { Contexts = [WidgetContext.Checkout] });
        var edited = await shop.AddWidgetAsync();
        await shop.Location.ReplaceWidget(edited.Id, TestShop.Draft(name: "Edited"), edited.Version);
        var archived = await shop.AddWidgetAsync();
        await shop.Location.ArchiveWidget(archived.Id);
        var widgetsBefore = await shop.Location.GetWidgets();
        var terminalsBefore = await shop.Location.GetTerminals();
        var listingBefore = await shop.Location.ListWidgets(WidgetContext.Checkout, null);
        await StopClusterAsync();

        shop = shop.On(await StartClusterAsync());

        Assert.Equivalent(widgetsBefore, await shop.Location.GetWidgets(), strict: true);
        Assert.Equivalent(terminalsBefore, await shop.Location.GetTerminals(), strict: true);
        var listingAfter = await shop.Location.ListWidgets(WidgetContext.Checkout, null);
        Assert.Equal(listingBefore.ETag, listingAfter.ETag);
        Assert.Equal(listingBefore.Widgets.Select(w => w.Id), listingAfter.Widgets.Select(w => w.Id));
        Assert.Equal(4, (await shop.AddWidgetAsync()).Id);
        var started = await shop.StartAsync(kept.Id, "lane-2");
        Assert.Equal(SessionState.Active, (await shop.Session(started.SessionId).GetView())!.State);
    }
}
