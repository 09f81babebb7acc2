using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Widgets.Tests.Customer;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Trust;

/// <summary>
/// Point 3, consent: each message keeps the consent the POS sent with it (marketing, the text shown, when, the
/// terminal and the sales person), and a landing-page submission keeps whether its box was ticked together with the
/// text the server showed next to it.
/// </summary>
[Collection(TrustCollection.Name)]
public sealed class ConsentTests(TrustFixture gateway)
{
    private const string CouponConsentText = "Also email me future offers. I can unsubscribe at any time.";

    [Fact]
    public async Task SendMessage_keeps_the_consent_shown_with_its_time_terminal_and_sales_person_on_each_message()
    {
        var location = await gateway.CreateLocationAsync();
        var session = await location.StartSession("lane-2");
        var (email, phone) = (TrustSetup.Email(), TrustSetup.Phone());
        var text = $"Yes, text and email me offers ({Guid.NewGuid():N}).";
        var body = JsonSerializer.SerializeToNode(session.Body(email, phone), JsonSerializerOptions.Web)!.AsObject();
        body["consent"] = new JsonObject { ["marketing"] = true, ["text"] = text };
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        using var response = await session.Send(body: body);

        var sent = (await response.Data())["messages"]!.AsArray().Select(m => m!.Text("messageId")).ToList();
        Assert.Equal(2, sent.Count);
        var stored = Assert.Single(await StoredState.Sessions(gateway.DataDirectory), r => r.Messages?.Any(m => m.Consent?.Text == text) == true);
        var records = stored.Messages!.Where(m => sent.Contains(m.MessageId)).ToList();
        Assert.Equal(2, records.Count);
        foreach (var consent in records.Select(r => r.Consent))
        {
            Assert.NotNull(consent);
            Assert.True(consent.Marketing);
            Assert.Equal(text, consent.Text);
            Assert.Equal("lane-2", consent.TerminalId);
            Assert.Equal("Sam", consent.SalesPerson);
            Assert.InRange(consent.At, before, DateTimeOffset.UtcNow.AddSeconds(1));
        }
    }

    [Fact]
    public async Task Landing_submission_keeps_whether_the_consent_box_was_ticked_with_the_text_the_server_showed()
    {
        var location = await gateway.CreateLocationAsync();
        var draft = GatewayLocation.Draft("Coupon");
        draft["type"] = "couponDelivery";
        draft["settings"] = new JsonObject { ["couponPrefix"] = "TRUST" };
        var widgetId = (await location.CreateWidget(draft)).Int("id");

        var unticked = await Submit(location, widgetId, "lane-1", new() { ["email"] = TrustSetup.Email() });
        // The hidden consentText field is the page's; a tampered one changes nothing of what is recorded.
        var ticked = await Submit(location, widgetId, "lane-2", new() { ["email"] = TrustSetup.Email(), ["consent"] = "yes", ["consentText"] = "I agree to pay $1000." });

        var conversions = await location.Conversions();
        var withoutConsent = Assert.Single(conversions, c => c!.Text("sessionId") == unticked)!["consent"]!;
        var withConsent = Assert.Single(conversions, c => c!.Text("sessionId") == ticked)!["consent"]!;
        Assert.False(withoutConsent["marketing"]!.GetValue<bool>());
        Assert.True(withConsent["marketing"]!.GetValue<bool>());
        Assert.Equal(CouponConsentText, withConsent.Text("text"));
        Assert.Equal("lane-2", withConsent.Text("terminalId"));
    }

    /// <summary>Shows the QR on <paramref name="terminalId"/>, opens the landing page and submits it as a phone would; returns the session id.</summary>
    private async Task<string> Submit(GatewayLocation location, int widgetId, string terminalId, Dictionary<string, string> typed)
    {
        var shown = await location.ShowQrCode(widgetId, terminalId);
        var phone = gateway.Anonymous();
        using var page = await phone.GetAsync(shown.LandingUrl);
        var form = HtmlForm.Single(await page.Html(HttpStatusCode.OK));
        using var submitted = await phone.PostAsync(form.Target(shown.LandingUrl), form.Submit(typed));
        await submitted.Html(HttpStatusCode.OK);
        return shown.SessionId;
    }
}
