using System.Net;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Customer;

/// <summary>What the POS or a customer types is shown as text on the customer pages, never run as markup.</summary>
[Collection(GatewayCollection.Name)]
public sealed class OutputEncodingTests(GatewayFixture gateway)
{
    private const string Script = "<script>alert(1)</script>";

    [Fact]
    public async Task Profile_first_name_with_a_script_tag_is_html_encoded_on_the_landing_page_and_the_welcome_page()
    {
        var location = await gateway.CreateLocationAsync();
        var shown = await location.ShowQrCode(await location.CreateWidgetId(), profile: CustomerLinks.Profile(Script, "O'Brien \"Bob\""));
        var customer = gateway.Anonymous();

        using var page = await customer.GetAsync(shown.LandingUrl);
        var html = await page.Html(HttpStatusCode.OK);

        Assert.DoesNotContain("<script>alert", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        var form = HtmlForm.Single(html);
        Assert.Equal(Script, form.ValueOf("firstName"));
        Assert.Equal("", form.ValueOf("lastName")); // only the first name is prefilled (see LandingPrivacyTests)

        using var submitted = await customer.PostAsync(form.Target(shown.LandingUrl),
            form.Submit(new Dictionary<string, string> { ["email"] = "bob@example.com", ["consent"] = "yes" }));
        var welcome = await submitted.Html(HttpStatusCode.OK);

        Assert.DoesNotContain("<script>alert", welcome, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"Welcome to the program, {Script}!", CustomerLinks.PageText(welcome));
    }
}
