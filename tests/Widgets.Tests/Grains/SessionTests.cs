using Widgets.Catalogue;
using Widgets.Common;
using Widgets.Sessions;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Grains;

[Collection(SiloClusterCollection.Name)]
public sealed class SessionTests(SiloClusterFixture fixture)
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task StartSession_on_an_unregistered_terminal_fails_with_TerminalNotFound()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync();

        var result = await shop.Terminal("lane-unknown").StartSession(widget.Id, null);

        Assert.Equal(DomainError.TerminalNotFound, result.Error);
        Assert.Null(await shop.Location.GetTerminal("lane-unknown"));
    }

    [Fact]
    public async Task StartSession_on_a_removed_terminal_fails_with_TerminalNotFound()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync();
        Assert.True(await shop.Location.RemoveTerminal(TestShop.Lane));

        var result = await shop.Terminal(TestShop.Lane).StartSession(widget.Id, null);

        Assert.Equal(DomainError.TerminalNotFound, result.Error);
    }

    [Fact]
    public async Task StartSession_on_a_paused_widget_fails_with_WidgetNotFound()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync();
        await shop.Location.ReplaceWidget(widget.Id, TestShop.Draft() with { Status = WidgetStatus.Paused }, null);

        var result = await shop.Terminal(TestShop.Lane).StartSession(widget.Id, null);

        Assert.Equal(DomainError.WidgetNotFound, result.Error);
        Assert.Null(await shop.ActiveSessionOn());
    }

    [Fact]
    public async Task StartSession_on_an_unknown_widget_fails_with_WidgetNotFound()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);

        var result = await shop.Terminal(TestShop.Lane).StartSession(7, null);

        Assert.Equal(DomainError.WidgetNotFound, result.Error);
    }

    [Fact]
    public async Task A_started_session_is_Active_and_expires_one_timeout_from_now()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync(timeoutSeconds: 30);
        var timeout = TimeSpan.FromSeconds(30);

        var before = DateTimeOffset.UtcNow;
        var started = await shop.StartAsync(widget.Id);
        var after = DateTimeOffset.UtcNow;

        Assert.Equal(30, started.TimeoutSeconds);
        Assert.InRange(started.ExpiresAt, before + timeout, after + timeout);
        var view = await shop.Session(started.SessionId).GetView();
        Assert.NotNull(view);
        Assert.Equal(SessionState.Active, view.State);
        Assert.Equal(started.ExpiresAt, view.ExpiresAt);
        Assert.InRange(view.StartedAt, before, after);
        Assert.Equal(shop.Key, view.Location);
        Assert.Equal(TestShop.Lane, view.TerminalId);
        Assert.Equal(widget.Id, view.WidgetId);
        Assert.Null(view.EndedAt);
        Assert.Equal(started.SessionId, await shop.ActiveSessionOn());
    }

    [Fact]
    public async Task Starting_a_second_session_on_a_terminal_supersedes_the_first()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains, "lane-1", "lane-2");
        var widget = await shop.AddWidgetAsync();
        var first = await shop.StartAsync(widget.Id, "lane-1");
        var neighbour = await shop.StartAsync(widget.Id, "lane-2");

        var second = await shop.StartAsync(widget.Id, "lane-1");

        // The start answers without waiting for the old session to end; it ends right after.
        var firstView = await Eventually.Returns(() => shop.Session(first.SessionId).GetView(),
            v => v!.State != SessionState.Active, TimeSpan.FromSeconds(5), "the first session to end");
        Assert.Equal(SessionState.Superseded, firstView!.State);
        Assert.NotNull(firstView.EndedAt);
        Assert.Equal(SessionState.Active, (await shop.Session(second.SessionId).GetView())!.State);
        Assert.Equal(SessionState.Active, (await shop.Session(neighbour.SessionId).GetView())!.State);
        Assert.Equal(second.SessionId, await shop.ActiveSessionOn("lane-1"));
        Assert.Equal(neighbour.SessionId, await shop.ActiveSessionOn("lane-2"));
        var refused = await shop.Session(first.SessionId).ShowQrCode(shop.Interaction(widget.Id, "lane-1"));
        Assert.Equal(DomainError.SessionEnded, refused.Error);
    }

    [Fact]
    public async Task ShowQrCode_pushes_the_deadline_and_records_the_first_showing()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync(timeoutSeconds: 30);
        var started = await shop.StartAsync(widget.Id);
        var session = shop.Session(started.SessionId);

        var shown = await session.ShowQrCode(shop.Interaction(widget.Id));
        var shownAgain = await session.ShowQrCode(shop.Interaction(widget.Id));

        Assert.True(shown.IsSuccess, shown.Detail);
        Assert.True(shown.Value!.ExpiresAt > started.ExpiresAt);
        Assert.True(shownAgain.Value!.ExpiresAt > shown.Value.ExpiresAt);
        var view = await session.GetView();
        Assert.Equal(shownAgain.Value.ExpiresAt, view!.ExpiresAt);
        Assert.Equal(view.LastInteractionAt + TimeSpan.FromSeconds(30), view.ExpiresAt);
        Assert.NotNull(view.QrShownAt);
        Assert.True(view.QrShownAt < view.LastInteractionAt, "QrShownAt should keep the first showing");
    }

    [Fact]
    public async Task An_address_without_terminal_or_widget_still_reaches_its_session()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync();
        var started = await shop.StartAsync(widget.Id);

        var shown = await shop.Session(started.SessionId).ShowQrCode(new Interaction(new SessionAddress(shop.Key, null, null), null, null));

        Assert.True(shown.IsSuccess, shown.Detail);
    }

    [Fact]
    public async Task Interactions_naming_another_location_terminal_or_widget_fail_with_SessionNotFound()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains, "lane-1", "lane-2");
        var other = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync();
        var started = await shop.StartAsync(widget.Id, "lane-1");
        var session = shop.Session(started.SessionId);
        SessionAddress[] wrong =
        [
            new(other.Key, "lane-1", widget.Id),
            new(shop.Key, "lane-2", widget.Id),
            new(shop.Key, "lane-1", widget.Id + 1),
        ];

        foreach (var address in wrong)
        {
            Assert.Equal(DomainError.SessionNotFound, (await session.ShowQrCode(new Interaction(address, null, null))).Error);
            Assert.Equal(DomainError.SessionNotFound, (await session.Cancel(address)).Error);
            var send = new SendMessageCommand(new Interaction(address, null, null), [new Recipient(WidgetChannel.Email, "a@example.com")], "https://w.test/l", null);
            Assert.Equal(DomainError.SessionNotFound, (await session.SendMessage(send)).Error);
        }

        var view = await session.GetView();
        Assert.Equal(SessionState.Active, view!.State);
        Assert.Null(view.QrShownAt);
        Assert.Empty(view.Messages);
    }

    [Fact]
    public async Task A_session_id_that_was_never_started_is_not_found()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync();
        var session = shop.Session(Guid.NewGuid().ToString("N"));

        Assert.Null(await session.GetView());
        Assert.Null(await session.GetScreen());
        Assert.Equal(DomainError.SessionNotFound, (await session.ShowQrCode(shop.Interaction(widget.Id))).Error);
        Assert.Equal(DomainError.SessionNotFound, (await session.OpenLanding()).Error);
        Assert.Equal(DomainError.SessionNotFound, (await session.SubmitLanding(new LandingSubmission())).Error);
    }

    [Fact]
    public async Task Cancel_ends_the_session_as_Cancelled_and_frees_the_terminal()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync();
        var started = await shop.StartAsync(widget.Id);

        var cancelled = await shop.Session(started.SessionId).Cancel(shop.Address(widget.Id));

        Assert.True(cancelled.IsSuccess, cancelled.Detail);
        Assert.Equal(SessionState.Cancelled, cancelled.Value!.State);
        Assert.NotNull(cancelled.Value.EndedAt);
        Assert.Equal(SessionState.Cancelled, (await shop.Session(started.SessionId).GetView())!.State);
        await Eventually.Holds(async () => await shop.ActiveSessionOn() is null, Soon, "the terminal to show idle");
    }

    [Fact]
    public async Task Calls_after_the_session_ended_fail_with_SessionEnded()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync();
        var started = await shop.StartAsync(widget.Id);
        var session = shop.Session(started.SessionId);
        await session.Cancel(shop.Address(widget.Id));

        var qr = await session.ShowQrCode(shop.Interaction(widget.Id));
        var send = await session.SendMessage(new SendMessageCommand(
            shop.Interaction(widget.Id), [new Recipient(WidgetChannel.Email, "a@example.com")], "https://w.test/l", null));
        var cancelAgain = await session.Cancel(shop.Address(widget.Id));

        Assert.Equal(DomainError.SessionEnded, qr.Error);
        Assert.Equal(DomainError.SessionEnded, send.Error);
        Assert.Equal(DomainError.SessionEnded, cancelAgain.Error);
        var view = await session.GetView();
        Assert.Equal(SessionState.Cancelled, view!.State);
        Assert.Empty(view.Messages);
    }

    [Fact]
    public async Task Removing_a_terminal_ends_its_session()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync();
        var started = await shop.StartAsync(widget.Id);

        Assert.True(await shop.Location.RemoveTerminal(TestShop.Lane));

        Assert.Equal(SessionState.Superseded, (await shop.Session(started.SessionId).GetView())!.State);
    }
}
