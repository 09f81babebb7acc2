using System.Net;
using Widgets.Tests.Customer;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Trust;

/// <summary>
/// Point 4, the landing form: a post without the page's CSRF cookie and field, with another session's, or sent
/// cross-site is 403 and converts nothing; a submission replayed (the same posted token again) counts one conversion.
/// </summary>
[Collection(TrustCollection.Name)]
public sealed class LandingFormTests(TrustFixture gateway)
{
    [Fact]
    public async Task Landing_post_without_the_csrf_cookie_or_field_with_another_sessions_token_or_cross_site_is_403_and_converts_nothing()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        var shown = await location.ShowQrCode(widgetId, "lane-1");
        var other = await location.ShowQrCode(widgetId, "lane-2");
        var phone = gateway.Anonymous();
        var form = await Open(phone, shown);
        var otherForm = await Open(phone, other);
        var typed = new Dictionary<string, string> { ["firstName"] = "Grace", ["email"] = TrustSetup.Email(), ["consent"] = "yes" };

        var attempts = new (string What, HttpClient Client, Func<FormUrlEncodedContent> Body, string? FetchSite)[]
        {
            ("without the cookie (another browser)", gateway.Anonymous(), () => form.Submit(typed), null),
            ("without the csrf field", phone, () => Without(form.Submit(typed), "csrf"), null),
            ("with the csrf field of another session", phone, () => With(form.Submit(typed), "csrf", otherForm.ValueOf("csrf")), null),
            ("with a made-up csrf field", phone, () => With(form.Submit(typed), "csrf", new string('0', 64)), null),
            ("from another site", phone, () => form.Submit(typed), "cross-site"),
            ("from a sibling site", phone, () => form.Submit(typed), "same-site"),
        };
        foreach (var (what, client, body, site) in attempts)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, form.Target(shown.LandingUrl)) { Content = body() };
            if (site is not null)
            {
                request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", site);
            }

            using var response = await client.SendAsync(request);
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"A landing post {what} answered {(int)response.StatusCode}: {html}");
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.False((await shown.ScreenState(phone))["converted"]!.GetValue<bool>());
        Assert.Empty(await location.Conversions());

        // The page's own post, as a browser sends it from the page, converts.
        using var genuine = new HttpRequestMessage(HttpMethod.Post, form.Target(shown.LandingUrl)) { Content = form.Submit(typed) };
        genuine.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
        using var converted = await phone.SendAsync(genuine);
        Assert.Contains("Welcome to the program, Grace!", CustomerLinks.PageText(await converted.Html(HttpStatusCode.OK)));
        Assert.Single(await location.Conversions());
    }

    [Fact]
    public async Task Replayed_landing_submission_counts_one_conversion()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        var shown = await location.ShowQrCode(widgetId);
        var phone = gateway.Anonymous();
        var form = await Open(phone, shown);
        var typed = new Dictionary<string, string> { ["firstName"] = "Grace", ["email"] = TrustSetup.Email(), ["consent"] = "yes" };

        var pages = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await phone.PostAsync(form.Target(shown.LandingUrl), form.Submit(typed));
            pages.Add(CustomerLinks.PageText(await response.Html(HttpStatusCode.OK)));
        }

        var concurrentReplays = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => phone.PostAsync(form.Target(shown.LandingUrl), form.Submit(typed))));

        Assert.DoesNotContain("already done this", pages[0]);
        Assert.All(pages.Skip(1), p => Assert.Contains("You've already done this", p));
        Assert.All(concurrentReplays, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single(await location.Conversions(), c => c!.Text("sessionId") == shown.SessionId);
        var row = await location.StatsWhen(widgetId, r => r.Long("converted") >= 1, "the conversion to be counted");
        Assert.Equal(1, row.Long("converted"));
        foreach (var response in concurrentReplays)
        {
            response.Dispose();
        }
    }

    private static async Task<HtmlForm> Open(HttpClient phone, ShownQrCode shown)
    {
        using var page = await phone.GetAsync(shown.LandingUrl);
        return HtmlForm.Single(await page.Html(HttpStatusCode.OK));
    }

    private static FormUrlEncodedContent Without(FormUrlEncodedContent content, string field) =>
        new(Fields(content).Where(f => f.Key != field));

    private static FormUrlEncodedContent With(FormUrlEncodedContent content, string field, string value) =>
        new(Fields(content).Select(f => f.Key == field ? KeyValuePair.Create(field, value) : f));

    private static List<KeyValuePair<string, string>> Fields(FormUrlEncodedContent content)
    {
        var text = content.ReadAsStringAsync().GetAwaiter().GetResult();
        return text.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => KeyValuePair.Create(Uri.UnescapeDataString(p[0].Replace('+', ' ')), Uri.UnescapeDataString(p[1].Replace('+', ' '))))
            .ToList();
    }
}
