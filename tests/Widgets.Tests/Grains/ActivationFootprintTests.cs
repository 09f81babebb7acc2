using Widgets.Common;
using Widgets.Sessions;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Grains;

/// <summary>What a session leaves in a silo's memory: a busy store runs hundreds of them a minute.</summary>
[Collection(SiloClusterCollection.Name)]
public sealed class ActivationFootprintTests(SiloClusterFixture fixture)
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_start_on_a_terminal_id_that_is_not_registered_leaves_no_activation_behind()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync();
        var madeUp = shop.Terminal($"lane-{Guid.NewGuid():N}");

        Assert.Equal(DomainError.TerminalNotFound, (await madeUp.StartSession(widget.Id, null)).Error);

        var id = madeUp.GetGrainId();
        await Eventually.Holds(async () => !(await ActiveGrains(id.Type)).Contains(id), Soon, "the unregistered terminal to be deactivated");
        Assert.Contains(shop.Terminal().GetGrainId(), await ActiveGrains(id.Type));
    }

    [Fact]
    public async Task An_ended_session_releases_its_activation_and_stays_readable()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync();
        var started = await shop.StartAsync(widget.Id);
        var session = shop.Session(started.SessionId);
        var id = session.GetGrainId();
        Assert.Contains(id, await ActiveGrains(id.Type));

        Assert.True((await session.Cancel(shop.Address(widget.Id))).IsSuccess);

        await Eventually.Holds(async () => !(await ActiveGrains(id.Type)).Contains(id), Soon, "the ended session to be deactivated");
        Assert.Equal(SessionState.Cancelled, (await session.GetView())!.State);
    }

    [Fact]
    public async Task A_late_wake_up_of_an_ended_session_does_not_keep_it_in_memory()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync();
        var session = shop.Session((await shop.StartAsync(widget.Id)).SessionId);
        var id = session.GetGrainId();
        Assert.True((await session.Cancel(shop.Address(widget.Id))).IsSuccess);
        await Eventually.Holds(async () => !(await ActiveGrains(id.Type)).Contains(id), Soon, "the ended session to be deactivated");

        await session.ExpireIfDue();

        await Eventually.Holds(async () => !(await ActiveGrains(id.Type)).Contains(id), Soon, "the woken session to be deactivated again");
        Assert.Equal(SessionState.Cancelled, (await session.GetView())!.State);
    }

    private ValueTask<List<GrainId>> ActiveGrains(GrainType type) =>
        fixture.Grains.GetGrain<IManagementGrain>(0).GetActiveGrains(type);
}
