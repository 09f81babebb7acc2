using System.Diagnostics;
using System.Net;
using Microsoft.Playwright;
using Widgets.Tests.Customer;
using Widgets.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Widgets.Tests.Screen;

/// <summary>A terminal's own screen page in a real Chromium, driven by the POS as a lane would drive it.</summary>
[Collection(GatewayCollection.Name)]
public sealed class TerminalScreenTests(GatewayFixture gateway, ChromiumFixture chromium, ITestOutputHelper output) : IClassFixture<ChromiumFixture>
{
    private static readonly float Patience = ScreenPages.Patience;

    [Fact]
    public async Task Screen_goes_from_the_idle_carousel_to_a_scannable_qr_on_a_pos_start_and_back_to_idle_after_the_timeout_without_reloading()
    {
        var location = await gateway.CreateLocationAsync();
        // Long enough that the scan lands before the timeout on a busy machine; short enough to wait for.
        var widgetId = await location.IdleWidget("Rewards club", timeoutSeconds: 10);
        await location.IdleWidget("Weekend deals", icon: "/icons/demo/promotion.svg");
        var url = await location.Carousel();
        Assert.Equal(url, await location.Carousel());

        await using var display = await chromium.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        var page = await display.NewPageAsync();
        Assert.Equal(200, (await page.GotoAsync(url))!.Status);
        await page.ShowsView("idle");
        await Expect(page.Locator(".slide.current h1")).ToHaveTextAsync("Rewards club", new() { Timeout = Patience });
        await Expect(page.Locator(".slide.current img.wicon")).ToHaveJSPropertyAsync("naturalWidth", 64, new() { Timeout = Patience });
        await page.Mark();

        var clock = Stopwatch.StartNew();
        var sessionId = (await location.Start("lane-1", widgetId)).Text("sessionId");
        await page.ShowsView("live");
        output.WriteLine($"POS start → QR view on the screen: {clock.ElapsedMilliseconds} ms (start call included)");
        await Expect(page.ScreenMain()).ToHaveAttributeAsync("data-session-id", sessionId);
        await Expect(page.Locator("[data-for=live] h1")).ToHaveTextAsync("Rewards club — scan to join");

        var landing = await page.DecodeQr();
        Assert.Contains("/w/", landing, StringComparison.Ordinal);
        using var phone = gateway.Anonymous();
        using (var opened = await phone.GetAsync(new Uri(landing).PathAndQuery))
        {
            Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
            Assert.Contains("Rewards club — scan to join", await opened.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await page.ShowsView("scanned");
        await page.ShowsView("idle");
        Assert.Equal("timedOut", await location.SessionState(sessionId));
        await Expect(page.ScreenMain()).Not.ToHaveAttributeAsync("data-session-id", sessionId);
        await page.AssertNotReloaded();
    }

    [Fact]
    public async Task Screen_returns_to_idle_when_the_pos_cancels_and_follows_a_superseding_start()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.IdleWidget("Cancel me");
        await using var display = await chromium.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1024, Height = 600 } });
        var page = await display.NewPageAsync();
        await page.GotoAsync(await location.Carousel());
        await page.ShowsView("idle");
        await page.Mark();

        var first = (await location.Start("lane-1", widgetId)).Text("sessionId");
        await Expect(page.ScreenMain()).ToHaveAttributeAsync("data-session-id", first, new() { Timeout = Patience });
        var second = (await location.Start("lane-1", widgetId)).Text("sessionId");
        await Expect(page.ScreenMain()).ToHaveAttributeAsync("data-session-id", second, new() { Timeout = Patience });
        await page.ShowsView("live");
        Assert.Equal("superseded", await location.SessionState(first));

        using (var cancelled = await location.Pos.PostAsync(location.PosRoute($"widget/sessions/{second}/cancel"), null))
        {
            await cancelled.Data();
        }

        var clock = Stopwatch.StartNew();
        await page.ShowsView("idle", 2000);
        output.WriteLine($"cancel → idle: {clock.ElapsedMilliseconds} ms");
        await page.AssertNotReloaded();
    }

    [Fact]
    public async Task Screen_that_connects_mid_session_shows_that_session_at_once()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.IdleWidget("Already running");
        var sessionId = (await location.Start("lane-2", widgetId)).Text("sessionId");

        await using var display = await chromium.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 800, Height = 480 } });
        var page = await display.NewPageAsync();
        await page.GotoAsync(await location.Carousel("lane-2"));
        await page.ShowsView("live");
        await Expect(page.ScreenMain()).ToHaveAttributeAsync("data-session-id", sessionId);
    }

    [Fact]
    public async Task Tapping_a_widget_on_the_idle_screen_starts_it_on_that_terminal_when_self_start_is_on()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.IdleWidget("Tap me");
        await location.PutSettings(new { selfStart = true });
        await using var kiosk = await chromium.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 }, HasTouch = true });
        var page = await kiosk.NewPageAsync();
        await page.GotoAsync(await location.Carousel("lane-2"));
        await page.ShowsView("idle");

        await page.Locator(".slide.current").GetByRole(AriaRole.Button, new() { Name = "Tap to start" }).TapAsync();

        await page.ShowsView("live");
        var sessionId = await page.ScreenMain().GetAttributeAsync("data-session-id");
        Assert.NotNull(sessionId);
        var session = await location.Session(sessionId!);
        Assert.Equal("lane-2", session.Text("terminalId"));
        Assert.Equal(widgetId, session.Int("widgetId"));
        Assert.Equal("active", session.Text("state"));
        var row = await location.StatsWhen(widgetId, r => r.Long("started") == 1, "the self-start to be counted");
        Assert.Equal(1, row.Long("started"));
    }

    [Fact]
    public async Task Self_start_is_refused_without_the_setting_and_from_another_site_and_starts_nothing()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.IdleWidget("No taps here");
        var url = new Uri(await location.Carousel());
        using var client = gateway.Anonymous();
        var html = await client.GetStringAsync(url.PathAndQuery);
        var startToken = System.Text.RegularExpressions.Regex.Match(html, "data-start-token=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(startToken);

        async Task<HttpResponseMessage> Post(string? token, string? site)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url.PathAndQuery + "/start") { Content = GatewayJson.Body(new { widgetId }) };
            if (token is not null)
            {
                request.Headers.Add("X-Screen-Start", token);
            }

            if (site is not null)
            {
                request.Headers.Add("Sec-Fetch-Site", site);
            }

            return await client.SendAsync(request);
        }

        await (await Post(startToken, "same-origin")).Problem(HttpStatusCode.Forbidden, "start_forbidden");
        await location.PutSettings(new { selfStart = true });
        await (await Post(null, "same-origin")).Problem(HttpStatusCode.Forbidden, "start_forbidden");
        await (await Post(startToken, "cross-site")).Problem(HttpStatusCode.Forbidden, "start_forbidden");
        Assert.Null((await location.Terminal("lane-1"))["activeSessionId"]?.GetValue<string>());

        var started = await (await Post(startToken, "same-origin")).Data();
        Assert.Equal("live", started["state"].Text("view"));
    }

    [Fact]
    public async Task Revoked_screen_link_shows_not_paired_within_two_seconds_and_a_new_link_works()
    {
        var location = await gateway.CreateLocationAsync();
        await location.IdleWidget("Revocable");
        var url = await location.Carousel();
        await using var display = await chromium.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        var page = await display.NewPageAsync();
        await page.GotoAsync(url);
        await page.ShowsView("idle");
        await Expect(page.Locator("[data-for=idle] .slide.current h1")).ToBeVisibleAsync(new() { Timeout = Patience });

        using (var revoked = await location.Admin.PostAsync(location.AdminRoute("terminals/lane-1/screen/revoke"), null))
        {
            await revoked.Data();
        }

        await page.ShowsView("unpaired", 2000);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This screen is not paired" })).ToBeVisibleAsync();
        await Expect(page.GetByText("Ask staff to open the screen link again from the POS.")).ToBeVisibleAsync();

        var reopened = await page.GotoAsync(url);
        Assert.Equal(404, reopened!.Status);
        await page.ShowsView("unpaired");

        var fresh = await location.Carousel();
        Assert.NotEqual(url, fresh);
        Assert.Equal(200, (await page.GotoAsync(fresh))!.Status);
        await page.ShowsView("idle");
    }

    [Fact]
    public async Task Tampered_screen_link_shows_not_paired_and_its_event_stream_says_unpaired()
    {
        var location = await gateway.CreateLocationAsync();
        var url = new Uri(await location.Carousel());
        var token = url.AbsolutePath["/t/".Length..];
        var tampered = token[..^1] + (token[^1] == 'A' ? 'B' : 'A');
        using var client = gateway.Anonymous();

        using var page = await client.GetAsync($"/t/{tampered}");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("data-view=\"unpaired\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var events = await client.GetAsync($"/t/{tampered}/events");
        Assert.Equal(HttpStatusCode.OK, events.StatusCode);
        Assert.Contains("event: unpaired", await events.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var garbage = await client.GetAsync("/t/not-a-token");
        Assert.Equal(HttpStatusCode.NotFound, garbage.StatusCode);
    }

    [Fact]
    public async Task Carousel_of_an_unknown_terminal_is_404_and_another_tenants_terminal_is_out_of_reach()
    {
        var mine = await gateway.CreateLocationAsync();
        var theirs = await gateway.CreateLocationAsync();

        using (var unknown = await mine.Pos.PostJson(mine.PosRoute("carousel"), new { posLocationId = mine.LocationId, terminalId = "lane-99" }))
        {
            await unknown.Problem(HttpStatusCode.NotFound, "terminal_not_found");
        }

        using (var other = await mine.Pos.PostJson(mine.PosRoute("carousel"), new { posLocationId = theirs.LocationId, terminalId = "lane-1" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
            Assert.DoesNotContain("/t/", await other.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var invalid = await mine.Pos.PostJson(mine.PosRoute("carousel"), new { posLocationId = mine.LocationId, terminalId = "lane 1\n" }))
        {
            await invalid.ValidationProblem("terminalId");
        }

        using var revokeUnknown = await mine.Admin.PostAsync(mine.AdminRoute("terminals/lane-99/screen/revoke"), null);
        await revokeUnknown.Problem(HttpStatusCode.NotFound, "terminal_not_found");
    }

    [Fact]
    public async Task Screen_shows_the_brand_and_speaks_the_locations_language()
    {
        var location = await gateway.CreateLocationAsync();
        await location.IdleWidget("Club de recompensas");
        await location.PutSettings(new
        {
            locale = "es",
            selfStart = true,
            brand = new { name = "Tienda Sol", logoUrl = "/icons/demo/contest.svg", primaryColor = "#C2410C", backgroundColor = "#111827" },
        });
        await using var display = await chromium.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1920, Height = 1080 } });
        var page = await display.NewPageAsync();
        await page.GotoAsync(await location.Carousel());
        await page.ShowsView("idle");

        Assert.Equal("es", await page.EvaluateAsync<string>("() => document.documentElement.lang"));
        await Expect(page.Locator(".brand-name")).ToHaveTextAsync("Tienda Sol");
        await Expect(page.Locator(".slide.current").GetByRole(AriaRole.Button, new() { Name = "Toque para empezar" })).ToBeVisibleAsync();
        await Expect(page.GetByText("Pregunte en caja — o escanee el código cuando aparezca.")).ToBeVisibleAsync();
        Assert.Equal("rgb(17, 24, 39)", await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor"));
        Assert.Equal("rgb(194, 65, 12)", await page.Locator(".tap").First.EvaluateAsync<string>("b => getComputedStyle(b).backgroundColor"));

        await page.Locator(".slide.current .tap").ClickAsync();
        await page.ShowsView("live");
        await Expect(page.GetByText("Apunte la cámara de su teléfono al código")).ToBeVisibleAsync();
    }
}
