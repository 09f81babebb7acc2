using System.Net;
using Widgets.Tests.Customer;
using Widgets.Tests.Infrastructure;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Widgets.Tests.Trust;

/// <summary>Issue 10 point 6: the unsubscribe pages speak the language of the location that sent the email.</summary>
[Collection(TrustCollection.Name)]
public sealed class UnsubscribeLanguageTests(TrustFixture gateway, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task Unsubscribe_link_of_an_email_from_a_french_location_opens_a_french_page_and_confirms_in_french()
    {
        var location = await gateway.CreateLocationAsync();
        using (var settings = await location.Admin.PutJson(location.AdminRoute("settings"), new { locale = "fr" }))
        {
            await settings.Data();
        }

        var email = TrustSetup.Email();
        var session = await location.StartSession();
        Assert.Equal("sent", (await session.SendOne("email", email)).Text("status"));
        var link = new Uri(Assert.Single(gateway.Smtp.To(email)).Headers["List-Unsubscribe"]!.Trim('<', '>'));

        await using var phone = await chromium.Browser.NewContextAsync();
        var page = await phone.NewPageAsync();
        Assert.Equal(200, (await page.GotoAsync(link.ToString()))!.Status);
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "fr");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Se désinscrire");
        await Expect(page.Locator("main")).ToContainTextAsync("Ne plus envoyer d'e-mails marketing");

        await page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Me désinscrire" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Désinscription confirmée", new() { Timeout = (float)GatewayFixture.Patience.TotalMilliseconds });
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "fr");

        var next = await location.StartSession();
        Assert.Equal("suppressed", (await next.SendOne("email", email)).Text("status"));
    }

    [Fact]
    public async Task Unsubscribe_link_whose_language_was_changed_is_refused_and_unsubscribes_nobody()
    {
        var location = await gateway.CreateLocationAsync();
        using (var settings = await location.Admin.PutJson(location.AdminRoute("settings"), new { locale = "es" }))
        {
            await settings.Data();
        }

        var email = TrustSetup.Email();
        Assert.Equal("sent", (await (await location.StartSession()).SendOne("email", email)).Text("status"));
        var link = Assert.Single(gateway.Smtp.To(email)).Headers["List-Unsubscribe"]!.Trim('<', '>');
        Assert.Contains(".es.", link, StringComparison.Ordinal);

        var customer = gateway.Anonymous();
        using (var spanish = await customer.GetAsync(link))
        {
            Assert.Contains("Darse de baja", CustomerLinks.PageText(await spanish.Html(HttpStatusCode.OK)));
        }

        using (var forged = await customer.PostAsync(link.Replace(".es.", ".fr.", StringComparison.Ordinal), null))
        {
            await forged.Html(HttpStatusCode.NotFound);
        }

        Assert.Equal("sent", (await (await location.StartSession()).SendOne("email", email)).Text("status"));
    }
}
