using System.Net;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Customer;

/// <summary>
/// The landing link is what the QR code on a public screen encodes: whoever opens it must not learn the contact
/// details the POS gave for the customer at the lane.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class LandingPrivacyTests(GatewayFixture gateway)
{
    private const string Email = "jane.doe@example.com";
    private const string Phone = "+14155550123";

    [Fact]
    public async Task Landing_page_shows_no_contact_detail_the_pos_gave_only_a_masked_hint()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId("Private rewards");
        var shown = await location.ShowQrCode(widgetId, profile: CustomerLinks.Profile("Jane", "Doe", Email, Phone));
        using var phone = gateway.Anonymous();

        using var response = await phone.GetAsync(shown.LandingUrl);
        var html = await response.Html(HttpStatusCode.OK);

        Assert.DoesNotContain(Email, html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("jane.doe", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("5550123", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Doe", html, StringComparison.Ordinal);
        Assert.Contains("j***@example.com — is this you?", html, StringComparison.Ordinal);
        Assert.Contains("name=\"email\" value=\"\"", html, StringComparison.Ordinal);
        Assert.Contains("name=\"phone\" value=\"\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Landing_page_of_an_ended_session_shows_nothing_personal()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId("Ended rewards");
        var shown = await location.ShowQrCode(widgetId, profile: CustomerLinks.Profile("Jane", "Doe", Email, Phone));
        using (var cancelled = await location.Pos.PostAsync(location.PosRoute($"widget/sessions/{shown.SessionId}/cancel"), null))
        {
            await cancelled.Data();
        }

        using var phone = gateway.Anonymous();
        using var response = await phone.GetAsync(shown.LandingUrl);
        var html = await response.Html(HttpStatusCode.OK);

        Assert.DoesNotContain("Jane", html, StringComparison.Ordinal);
        Assert.DoesNotContain("example.com", html, StringComparison.Ordinal);
        Assert.DoesNotContain("0123", html, StringComparison.Ordinal);
        Assert.DoesNotContain("is this you", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Landing_page_speaks_the_locations_language()
    {
        var location = await gateway.CreateLocationAsync();
        using (var put = await location.Admin.PutJson(location.AdminRoute("settings"), new { locale = "fr" }))
        {
            await put.Data();
        }

        var widgetId = await location.CreateWidgetId("Fidélité");
        var shown = await location.ShowQrCode(widgetId);
        using var phone = gateway.Anonymous();
        using var response = await phone.GetAsync(shown.LandingUrl);
        var html = await response.Html(HttpStatusCode.OK);

        Assert.Contains("<html lang=\"fr\">", html, StringComparison.Ordinal);
        Assert.Contains("Prénom", html, StringComparison.Ordinal);
        Assert.Contains("Adhérer", html, StringComparison.Ordinal);
        Assert.Contains("inscrivez-moi au programme de fidélité", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Join now", html, StringComparison.Ordinal);
    }
}
