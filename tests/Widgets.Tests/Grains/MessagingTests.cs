using System.Text.Json;
using MimeKit;
using Widgets.Catalogue;
using Widgets.Common;
using Widgets.Sessions;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Grains;

/// <summary>
/// With neither SMTP nor Twilio configured, the silo's message sender writes what it would send to the outbox under
/// the data directory: one .eml file per email, one JSON line per SMS in sms.jsonl.
/// </summary>
[Collection(SiloClusterCollection.Name)]
public sealed class MessagingTests(SiloClusterFixture fixture)
{
    [Fact]
    public async Task SendMessage_writes_an_email_and_an_sms_with_the_landing_url_to_the_outbox()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync(TestShop.Draft() with
        {
            Content = new WidgetContent { Headline = "Join", SmsText = "Hi {firstName}, join here: {url}", EmailSubject = "Welcome {firstName}" },
        });
        var started = await shop.StartAsync(widget.Id);
        var landingUrl = $"https://widgets.test/l/{started.SessionId}";

        var result = await shop.Session(started.SessionId).SendMessage(new SendMessageCommand(
            new Interaction(shop.Address(widget.Id), new CustomerProfile { FirstName = "Ann" }, null),
            [new Recipient(WidgetChannel.Email, "ann@example.com"), new Recipient(WidgetChannel.Sms, "+15550100")],
            landingUrl,
            new ConsentRecord { Marketing = true, Text = "Yes, send it" }));

        Assert.True(result.IsSuccess, result.Detail);
        var email = Assert.Single(result.Value!, m => m.Channel == WidgetChannel.Email);
        var sms = Assert.Single(result.Value!, m => m.Channel == WidgetChannel.Sms);
        Assert.All(result.Value!, m => Assert.Equal(MessageStatus.Sent, m.Status));

        var emlPath = Assert.Single(Directory.GetFiles(Path.Combine(fixture.Data.OutboxPath, "email"), $"*-{email.MessageId}.eml"));
        var mime = await MimeMessage.LoadAsync(emlPath);
        Assert.Equal("ann@example.com", mime.To.Mailboxes.Single().Address);
        Assert.Equal("Welcome Ann", mime.Subject);
        Assert.Contains(landingUrl, mime.TextBody);
        Assert.Contains(landingUrl, mime.HtmlBody);

        var line = Assert.Single(
            await File.ReadAllLinesAsync(Path.Combine(fixture.Data.OutboxPath, "sms.jsonl")),
            l => l.Contains(sms.MessageId, StringComparison.Ordinal));
        using var json = JsonDocument.Parse(line);
        Assert.Equal("+15550100", json.RootElement.GetProperty("to").GetString());
        Assert.Equal($"Hi Ann, join here: {landingUrl} Reply STOP to opt out.", json.RootElement.GetProperty("body").GetString());

        var view = await shop.Session(started.SessionId).GetView();
        Assert.Equal(2, view!.Messages.Count);
        Assert.True(view.Messages.Single(m => m.Channel == WidgetChannel.Email).Consent!.Marketing);
    }

    [Fact]
    public async Task SendMessage_sends_once_per_recipient_however_often_the_POS_asks()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync();
        var started = await shop.StartAsync(widget.Id);
        var session = shop.Session(started.SessionId);
        var command = new SendMessageCommand(
            shop.Interaction(widget.Id), [new Recipient(WidgetChannel.Sms, "+15550111")], $"https://widgets.test/l/{started.SessionId}", null);

        var first = await session.SendMessage(command);
        var second = await session.SendMessage(command);

        Assert.Equal(first.Value!.Single().MessageId, second.Value!.Single().MessageId);
        Assert.Single((await session.GetView())!.Messages);
        var lines = await File.ReadAllLinesAsync(Path.Combine(fixture.Data.OutboxPath, "sms.jsonl"));
        Assert.Single(lines, l => l.Contains(started.SessionId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SendMessage_on_a_channel_the_widget_does_not_offer_fails_with_ChannelNotAllowed()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync(TestShop.Draft() with { Channels = [WidgetChannel.Qr, WidgetChannel.Email] });
        var started = await shop.StartAsync(widget.Id);

        var result = await shop.Session(started.SessionId).SendMessage(new SendMessageCommand(
            shop.Interaction(widget.Id), [new Recipient(WidgetChannel.Sms, "+15550122")], "https://widgets.test/l/x", null));

        Assert.Equal(DomainError.ChannelNotAllowed, result.Error);
        Assert.Empty((await shop.Session(started.SessionId).GetView())!.Messages);
    }
}
