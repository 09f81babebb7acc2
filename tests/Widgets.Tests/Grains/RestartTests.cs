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
    private const int TimeoutSeconds = 4;

    /// <summary>Production's reminder period: missed reminder ticks are skipped, so the reminder alone would take up to this long.</summary>
    private static readonly TimeSpan ProductionReminderPeriod = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_session_that_fell_due_while_the_cluster_was_down_ends_within_10_s_of_the_restart()
    {
        var shop = await TestShop.OpenAsync(await StartClusterAsync(ProductionReminderPeriod));
        var widget = await shop.AddWidgetAsync(timeoutSeconds: TimeoutSeconds);
        var started = await shop.StartAsync(widget.Id);
        await StopClusterAsync();
        output.WriteLine($"Stopped {(started.ExpiresAt - DateTimeOffset.UtcNow).TotalSeconds:0.0} s before the deadline.");
        Assert.True(DateTimeOffset.UtcNow < started.ExpiresAt, "the cluster must stop before the deadline for the test to mean anything");

        await Eventually.ClockPasses(started.ExpiresAt);
        var restarting = DateTimeOffset.UtcNow;
        shop = shop.On(await StartClusterAsync(ProductionReminderPeriod));
        var ready = DateTimeOffset.UtcNow;

        // Watched through the stats, which read the session journal and call no session: nothing but the silos
        // themselves (their start-up wake-up, or a reminder period later the reminder) can end it.
        var bound = ready + TimeSpan.FromSeconds(10);
        await Eventually.Holds(async () => await shop.CountAsync(widget.Id, WidgetCounter.TimedOut) == 1, bound - DateTimeOffset.UtcNow, "timedOut = 1");
        output.WriteLine($"Counted as timed out {(DateTimeOffset.UtcNow - ready).TotalSeconds:0.0} s after the new cluster was ready, "
            + $"{(DateTimeOffset.UtcNow - started.ExpiresAt).TotalSeconds:0.0} s after the deadline.");
        Assert.Equal(1, await shop.CountAsync(widget.Id, WidgetCounter.Started));

        var view = await shop.Session(started.SessionId).GetView();
        Assert.Equal(SessionState.TimedOut, view!.State);
        Assert.InRange(view.EndedAt!.Value, restarting, bound);
        Assert.Null(await shop.ActiveSessionOn());
    }
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
