using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Widgets.Gateway.Auth;
using Widgets.Gateway.Links;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Customer;

/// <summary>Customer links carry a signed, expiring token: anything but a valid, unexpired token of the right kind gets 404 and records nothing.</summary>
[Collection(GatewayCollection.Name)]
public sealed class LinkTokenTests(GatewayFixture gateway)
{
    [Fact]
    public async Task Tampered_links_get_404_on_every_customer_page_and_record_no_scan_or_conversion()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        var victim = await location.ShowQrCode(widgetId, "lane-1");
        var other = await location.ShowQrCode(widgetId, "lane-2");
        var customer = gateway.Anonymous();
        var screen = TokenOf(victim.ScreenUrl);
        var landing = TokenOf(victim.LandingUrl);

        var forgedScreens = new Dictionary<string, string>
        {
            ["one signature character changed"] = ChangeSignature(screen),
            ["expiry moved a day later"] = WithPart(screen, 1, Later(screen)),
            ["another session's id"] = WithPart(screen, 0, other.SessionId),
            ["a landing token"] = landing,
        };
        var forgedLandings = new Dictionary<string, string>
        {
            ["one signature character changed"] = ChangeSignature(landing),
            ["expiry moved a day later"] = WithPart(landing, 1, Later(landing)),
            ["another session's id"] = WithPart(landing, 0, other.SessionId),
            ["a screen token"] = screen,
        };

        foreach (var (forgery, token) in forgedScreens)
        {
            foreach (var path in new[] { $"/s/{token}", $"/s/{token}/qr.png", $"/s/{token}/qr.svg", $"/s/{token}/state" })
            {
                using var response = await customer.GetAsync(path);
                Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"GET of a screen link with {forgery} answered {(int)response.StatusCode}: {path}");
            }
        }

        foreach (var (forgery, token) in forgedLandings)
        {
            using var page = await customer.GetAsync($"/w/{token}");
            Assert.Contains("This link has expired", CustomerLinks.PageText(await page.Html(HttpStatusCode.NotFound)));
            using var post = await customer.PostAsync($"/w/{token}", LoyaltyForm());
            Assert.True(post.StatusCode == HttpStatusCode.NotFound, $"POST of a landing link with {forgery} answered {(int)post.StatusCode}.");
        }

        foreach (var shown in new[] { victim, other })
        {
            var state = await shown.ScreenState(customer);
            Assert.False(state["scanned"]!.GetValue<bool>(), $"A forged link recorded a scan on {shown.TerminalId}.");
            Assert.False(state["converted"]!.GetValue<bool>(), $"A forged link recorded a conversion on {shown.TerminalId}.");
            Assert.Equal("active", state.Text("state"));
        }

        // A genuine scan afterwards is counted; the forged requests before it added nothing.
        using (var genuine = await customer.GetAsync(other.LandingUrl))
        {
            await genuine.Html(HttpStatusCode.OK);
        }

        var row = await location.StatsWhen(widgetId, r => r.Long("scanned") == 1, "the genuine scan to be counted");
        Assert.Equal(0, row.Long("converted"));
        Assert.Equal(0, row.Terminal("lane-1")!.Long("scanned"));
        Assert.Equal(1, row.Terminal("lane-2")!.Long("scanned"));
    }

    [Fact]
    public async Task Expired_links_signed_with_the_gateways_own_key_get_404_and_record_no_scan_or_conversion()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        var shown = await location.ShowQrCode(widgetId);
        var customer = gateway.Anonymous();
        var now = DateTimeOffset.UtcNow;
        var expired = Signer(now - TimeSpan.FromMinutes(10));
        var current = Signer(now);
        var expiredScreen = expired.Issue(LinkKind.Screen, shown.SessionId);
        var expiredLanding = expired.Issue(LinkKind.Landing, shown.SessionId);

        foreach (var path in new[] { $"/s/{expiredScreen}", $"/s/{expiredScreen}/qr.png", $"/s/{expiredScreen}/qr.svg", $"/s/{expiredScreen}/state" })
        {
            using var response = await customer.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"GET of an expired screen link answered {(int)response.StatusCode}: {path}");
        }

        using (var page = await customer.GetAsync($"/w/{expiredLanding}"))
        {
            Assert.Contains("This link has expired", CustomerLinks.PageText(await page.Html(HttpStatusCode.NotFound)));
        }

        using (var post = await customer.PostAsync($"/w/{expiredLanding}", LoyaltyForm()))
        {
            Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        }

        var state = await shown.ScreenState(customer);
        Assert.False(state["scanned"]!.GetValue<bool>(), "An expired link recorded a scan.");
        Assert.False(state["converted"]!.GetValue<bool>(), "An expired link recorded a conversion.");

        // The same signer with the current time makes links the gateway accepts: only the expiry made the difference.
        using (var screen = await customer.GetAsync($"/s/{current.Issue(LinkKind.Screen, shown.SessionId)}"))
        {
            await screen.Html(HttpStatusCode.OK);
        }

        using (var landing = await customer.GetAsync($"/w/{current.Issue(LinkKind.Landing, shown.SessionId)}"))
        {
            await landing.Html(HttpStatusCode.OK);
        }

        var row = await location.StatsWhen(widgetId, r => r.Long("scanned") == 1, "the scan of the current link to be counted");
        Assert.Equal(0, row.Long("converted"));
    }

    /// <summary>
    /// Signs links as the gateway does, with the gateway's own key (read from its configuration and data directory),
    /// at the moment <paramref name="at"/>, for a lifetime of one minute.
    /// </summary>
    private LinkTokens Signer(DateTimeOffset at)
    {
        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Widgets:DataDirectory"] = gateway.DataDirectory,
                ["Widgets:Links:ScreenLifetime"] = "00:01:00",
                ["Widgets:Links:LandingLifetime"] = "00:01:00",
            })
            .Build();
        return new LinkTokens(new SigningKeys(configuration, NullLogger<SigningKeys>.Instance), new FakeTimeProvider(at), configuration);
    }

    /// <summary>A loyalty form a customer could have filled in.</summary>
    private static FormUrlEncodedContent LoyaltyForm() => new(new Dictionary<string, string>
    {
        ["firstName"] = "Mallory",
        ["email"] = "mallory@example.com",
        ["consent"] = "yes",
        ["consentText"] = "Yes",
    });

    private static string TokenOf(Uri link) => link.AbsolutePath.Split('/')[2];

    private static string WithPart(string token, int index, string value)
    {
        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        Assert.NotEqual(value, parts[index]);
        parts[index] = value;
        return string.Join('.', parts);
    }

    /// <summary>The token with one character in the middle of its signature replaced by another URL-safe one.</summary>
    private static string ChangeSignature(string token)
    {
        var signature = token.Split('.')[2].ToCharArray();
        var at = signature.Length / 2;
        signature[at] = signature[at] == 'A' ? 'B' : 'A';
        return WithPart(token, 2, new string(signature));
    }

    private static string Later(string token) =>
        (long.Parse(token.Split('.')[1], CultureInfo.InvariantCulture) + 86_400).ToString(CultureInfo.InvariantCulture);
}
