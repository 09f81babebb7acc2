using System.Net;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Customer;

/// <summary>
/// Only the phone that opened the landing page can submit it: the page's cookie and the form's hidden token go
/// together, and a browser that says the post came from another site is refused.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class LandingForgeryTests(GatewayFixture gateway)
{
    [Fact]
    public async Task Landing_form_posted_without_the_pages_cookie_or_token_or_from_another_site_gets_403_and_converts_nothing()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        var shown = await location.ShowQrCode(widgetId);
        var phone = gateway.Anonymous();
        using var page = await phone.GetAsync(shown.LandingUrl);
        var form = HtmlForm.Single(await page.Html(HttpStatusCode.OK));
        var typed = new Dictionary<string, string> { ["firstName"] = "Grace", ["email"] = "grace@example.com", ["consent"] = "yes" };
        var target = form.Target(shown.LandingUrl);

        var forged = new Dictionary<string, (HttpClient Client, HttpRequestMessage Request)>
        {
            ["another client, without the page's cookie"] = (gateway.Anonymous(), Post(target, form.Submit(typed))),
            ["the phone, with another token in the form"] = (phone, Post(target, form.Submit(new Dictionary<string, string>(typed) { ["csrf"] = new string('0', 64) }))),
            ["the phone, from another site"] = (phone, Post(target, form.Submit(typed), secFetchSite: "cross-site")),
        };
        foreach (var (forgery, (client, request)) in forged)
        {
            using (request)
            using (var response = await client.SendAsync(request))
            {
                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"A post by {forgery} answered {(int)response.StatusCode}.");
            }
        }

        Assert.False((await shown.ScreenState(phone))["converted"]!.GetValue<bool>(), "A forged post converted the session.");
        Assert.Empty(await location.Conversions());

        using var genuine = Post(target, form.Submit(typed), secFetchSite: "same-origin");
        using var welcome = await phone.SendAsync(genuine);
        Assert.Contains("Welcome to the program, Grace!", CustomerLinks.PageText(await welcome.Html(HttpStatusCode.OK)));
        var row = await location.StatsWhen(widgetId, r => r.Long("converted") == 1, "the genuine post to be counted");
        Assert.Equal(1, row.Long("converted"));
        Assert.Single(await location.Conversions());
    }

    private static HttpRequestMessage Post(Uri target, HttpContent form, string? secFetchSite = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = form };
        if (secFetchSite is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", secFetchSite);
        }

        return request;
    }
}
