using Widgets.Analytics;
using Widgets.Catalogue;
using Widgets.Keys;
using Widgets.Sessions;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Grains;

[Collection(SiloClusterCollection.Name)]
public sealed class StatsTests(SiloClusterFixture fixture)
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task Every_step_of_the_funnel_is_counted_per_widget_and_terminal()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync(TestShop.Draft(timeoutSeconds: 30));
        var shortLived = await shop.AddWidgetAsync(TestShop.Draft(timeoutSeconds: 1));
        await shop.Location.ListWidgets(WidgetContext.Checkout, TestShop.Lane);
        await shop.Location.ListWidgets(null, TestShop.Lane);

        // One session converts after the QR code, two messages and a scan...
        var converted = await shop.StartAsync(widget.Id);
        var session = shop.Session(converted.SessionId);
        await session.ShowQrCode(shop.Interaction(widget.Id));
        var sent = await session.SendMessage(new SendMessageCommand(
            shop.Interaction(widget.Id),
            [new Recipient(WidgetChannel.Email, "ann@example.com"), new Recipient(WidgetChannel.Sms, "+15550100")],
            $"https://widgets.test/l/{converted.SessionId}",
            null));
        Assert.All(sent.Value!, m => Assert.Equal(MessageStatus.Sent, m.Status));
        await session.OpenLanding();
        var receipt = await session.SubmitLanding(new LandingSubmission { Email = "ann@example.com", Consent = true });
        Assert.True(receipt.IsSuccess, TestShop.Errors(receipt));

        // ...and one of another widget is left alone until it times out.
        var timedOut = await shop.StartAsync(shortLived.Id);
        await Eventually.Holds(
            async () => (await shop.Session(timedOut.SessionId).GetView())!.State == SessionState.TimedOut, Soon, "the short session to time out");

        await AssertCountsAsync(shop, widget.Id, listed: 2, started: 1, qrShown: 1, messagesSent: 2, scanned: 1, converted: 1, timedOut: 0);
        await AssertCountsAsync(shop, shortLived.Id, listed: 2, started: 1, qrShown: 0, messagesSent: 0, scanned: 0, converted: 0, timedOut: 1);
    }

    [Fact]
    public async Task Counters_survive_the_deactivation_of_the_stats_grain()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync();
        var started = await shop.StartAsync(widget.Id);
        await shop.Session(started.SessionId).Cancel(shop.Address(widget.Id));
        await Eventually.Holds(async () => await shop.CountAsync(widget.Id, WidgetCounter.Cancelled) == 1, Soon, "cancelled = 1");

        var stats = fixture.Grains.GetGrain<IWidgetStatsGrain>(GrainKeys.LocationDay(shop.Key, DateOnly.FromDateTime(DateTime.UtcNow)));
        await fixture.Cluster.DeactivateAsync(stats);

        Assert.Equal(1, await shop.CountAsync(widget.Id, WidgetCounter.Started));
        Assert.Equal(1, await shop.CountAsync(widget.Id, WidgetCounter.Cancelled));
    }

    private static async Task AssertCountsAsync(
        TestShop shop, int widgetId, long listed, long started, long qrShown, long messagesSent, long scanned, long converted, long timedOut)
    {
        var expected = new Dictionary<WidgetCounter, long>
        {
            [WidgetCounter.Listed] = listed,
            [WidgetCounter.Started] = started,
            [WidgetCounter.QrShown] = qrShown,
            [WidgetCounter.MessagesSent] = messagesSent,
            [WidgetCounter.Scanned] = scanned,
            [WidgetCounter.Converted] = converted,
            [WidgetCounter.TimedOut] = timedOut,
            [WidgetCounter.Cancelled] = 0,
            [WidgetCounter.MessagesUnknown] = 0,
        };
        var counts = await Eventually.Returns(
            () => CountsAsync(shop, widgetId),
            actual => expected.All(e => actual[e.Key] == e.Value),
            Soon,
            $"the stats of widget {widgetId} to show the funnel");
        Assert.Equal(expected, counts);
    }

    private static async Task<Dictionary<WidgetCounter, long>> CountsAsync(TestShop shop, int widgetId)
    {
        var counts = new Dictionary<WidgetCounter, long>();
        foreach (var counter in Enum.GetValues<WidgetCounter>())
        {
            counts[counter] = await shop.CountAsync(widgetId, counter);
        }

        return counts;
    }
}
