using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Widgets.Tests.Customer;
using Widgets.Tests.Infrastructure;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Widgets.Tests.Console;

/// <summary>The operator console in a real Chromium, against the real gateway: what an operator does and sees.</summary>
[Collection(GatewayCollection.Name)]
public sealed partial class ConsoleBrowserTests(GatewayFixture gateway, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    private static readonly float Patience = (float)GatewayFixture.Patience.TotalMilliseconds;

    [Fact]
    public async Task Signing_in_with_an_admin_secret_opens_the_console_with_a_strict_cookie_and_signing_out_ends_it()
    {
        var (context, page) = await ConsoleSession.SignedIn(chromium.Browser, gateway, GatewayFixture.AdminClientId, GatewayFixture.AdminClientSecret);
        await using var _ = context;

        var cookie = Assert.Single(await context.CookiesAsync(), c => c.Name == "widgets.console");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Equal("/console", cookie.Path);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "demo / store-1" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Console" }).GetByRole(AriaRole.Link, new() { Name = "Orleans dashboard" })).ToHaveAttributeAsync("href", "/dashboard/");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByText("You are signed out.")).ToBeVisibleAsync();
        await page.GotoAsync("/console/locations/demo/store-1/widgets");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        Assert.Contains("returnUrl=%2Fconsole%2Flocations%2Fdemo%2Fstore-1%2Fwidgets", page.Url, StringComparison.Ordinal);

        // Signing in again returns to the page that asked for it.
        await ConsoleSession.SignIn(page, GatewayFixture.AdminClientId, GatewayFixture.AdminClientSecret);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Widgets", Exact = true })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_on_the_form_and_opens_nothing()
    {
        await using var context = await chromium.Browser.NewContextAsync(new() { BaseURL = gateway.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/console/signin");
        var answer = await page.RunAndWaitForResponseAsync(
            () => ConsoleSession.SignIn(page, GatewayFixture.AdminClientId, "not-the-secret"), r => r.Request.Method == "POST");
        Assert.Equal(401, answer.Status);
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Wrong client id or secret");
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == "widgets.console");

        // A POS client's correct secret opens nothing either: the console is for widgets_admin clients.
        var location = await gateway.CreateLocationAsync();
        await page.GotoAsync("/console/signin");
        await ConsoleSession.SignIn(page, location.PosClientId, location.PosClientSecret);
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not an operator");
    }

    [Fact]
    public async Task Each_widget_type_created_through_the_form_is_listed_to_the_POS()
    {
        var location = await gateway.CreateLocationAsync();
        var (context, page) = await ConsoleSession.SignedIn(chromium.Browser, gateway, GatewayFixture.AdminClientId, GatewayFixture.AdminClientSecret);
        await using var _ = context;

        string[] types = ["loyaltyEnrollment", "promotionSignup", "contactCollection", "couponDelivery", "survey", "contestEntry"];
        foreach (var type in types)
        {
            await page.GotoAsync(ConsoleSession.LocationPath(location, $"widgets/new?type={type}"));
            await page.GetByLabel("Name", new() { Exact = true }).FillAsync($"Console {type}");
            await page.GetByLabel("Headline").FillAsync($"Headline of {type}");
            switch (type)
            {
                case "couponDelivery":
                    await page.GetByLabel("Coupon codes").FillAsync("ALPHA-1\nALPHA-2\nALPHA-3");
                    break;
                case "survey":
                    await page.Locator("#f-questions-0-text").FillAsync("How was your visit?");
                    await page.Locator("#f-questions-1-text").FillAsync("Which department?");
                    await page.Locator("#q1-kind").SelectOptionAsync("choice");
                    await page.Locator("#f-questions-1-options").FillAsync("Food, Garden, Tools");
                    break;
                case "contestEntry":
                    await page.GetByLabel("Contest rules").FillAsync("One entry per person. Drawn on the 1st.");
                    break;
            }

            await page.GetByRole(AriaRole.Button, new() { Name = "Create widget" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"“Console {type}” created.");
        }

        using var listed = await location.Pos.PostJson(location.PosRoute("widgets/list"), new { posLocationId = location.LocationId });
        var widgets = (await listed.Data()).AsArray();
        foreach (var type in types)
        {
            var widget = Assert.Single(widgets, w => w.Text("name") == $"Console {type}");
            Assert.Equal(type, widget.Text("type"));
        }

        var survey = await location.Widget(widgets.Single(w => w.Text("type") == "survey").Int("id"));
        var questions = survey["settings"]!["surveyQuestions"]!.AsArray();
        Assert.Equal(["How was your visit?", "Which department?"], questions.Select(q => q.Text("text")));
        Assert.Equal(["Food", "Garden", "Tools"], questions[1]!["options"]!.AsArray().Select(o => o!.GetValue<string>()));
        var coupon = await location.Widget(widgets.Single(w => w.Text("type") == "couponDelivery").Int("id"));
        Assert.Equal(3, coupon["settings"]!["couponCodes"]!.AsArray().Count);
    }

    [Fact]
    public async Task An_edit_of_a_widget_someone_saved_meanwhile_is_refused_and_shown_and_keeps_their_version()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId("Rewards before");
        var (context, page) = await ConsoleSession.SignedIn(chromium.Browser, gateway, GatewayFixture.AdminClientId, GatewayFixture.AdminClientSecret);
        await using var _ = context;
        await page.GotoAsync(ConsoleSession.LocationPath(location, $"widgets/{widgetId}"));
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Rewards from the console");

        // Someone else saves through the API while the form is open.
        var theirs = LocationDraft("Rewards from the API");
        using (var put = await location.Admin.PutJson(location.AdminRoute($"widgets/{widgetId}"), theirs))
        {
            await put.Data();
        }

        var answer = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync(), r => r.Request.Method == "POST");
        Assert.Equal(409, answer.Status);
        await Expect(page.GetByRole(AriaRole.Alert).First).ToContainTextAsync("someone else saved this widget since you opened it");
        await Expect(page.GetByLabel("Name", new() { Exact = true })).ToHaveValueAsync("Rewards from the console");
        Assert.Equal("Rewards from the API", (await location.Widget(widgetId)).Text("name"));

        // Opening the current version and saving again works.
        await page.GetByRole(AriaRole.Link, new() { Name = "Open the current version" }).ClickAsync();
        await Expect(page.GetByLabel("Name", new() { Exact = true })).ToHaveValueAsync("Rewards from the API");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Rewards from the console");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("“Rewards from the console” saved.");
        Assert.Equal("Rewards from the console", (await location.Widget(widgetId)).Text("name"));
    }

    [Fact]
    public async Task Paused_and_archived_widgets_leave_the_POS_list()
    {
        var location = await gateway.CreateLocationAsync();
        var paused = await location.CreateWidgetId("To pause");
        var archived = await location.CreateWidgetId("To archive");
        var kept = await location.CreateWidgetId("To keep");
        var (context, page) = await ConsoleSession.SignedIn(chromium.Browser, gateway, GatewayFixture.AdminClientId, GatewayFixture.AdminClientSecret);
        await using var _ = context;
        await page.GotoAsync(ConsoleSession.LocationPath(location, "widgets"));

        await page.GetByRole(AriaRole.Button, new() { Name = "Pause To pause" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("“To pause” paused.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Archive To archive" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("“To archive” archived.");
        await Expect(page.Locator($"tr[data-widget='{archived}'] .badge")).ToHaveTextAsync("archived");

        using var listed = await location.Pos.PostJson(location.PosRoute("widgets/list"), new { posLocationId = location.LocationId });
        var ids = (await listed.Data()).AsArray().Select(w => w.Int("id")).ToList();
        Assert.Equal([kept], ids);
        Assert.Equal("paused", (await location.Widget(paused)).Text("status"));
        Assert.Equal("archived", (await location.Widget(archived)).Text("status"));
    }

    [Fact]
    public async Task Sessions_started_through_the_POS_API_show_up_in_the_overview_chart()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId("Charted rewards");
        await location.Start("lane-1", widgetId);
        await location.Start("lane-2", widgetId);
        await location.StatsWhen(widgetId, r => r.Long("started") == 2, "both starts to be counted");

        var (context, page) = await ConsoleSession.SignedIn(chromium.Browser, gateway, GatewayFixture.AdminClientId, GatewayFixture.AdminClientSecret);
        await using var _ = context;
        await page.GotoAsync(ConsoleSession.LocationPath(location));
        var todayBar = page.Locator($"svg[data-chart=today] rect[data-widget='{widgetId}'][data-step=started]");
        await Expect(todayBar).ToHaveAttributeAsync("data-value", "2");
        Assert.True(await todayBar.EvaluateAsync<double>("r => r.getBBox().width") > 100, "The bar of the only widget with sessions spans the chart.");
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await Expect(page.Locator($"svg[data-chart=trend] rect[data-day='{today}'][data-step=started]")).ToHaveAttributeAsync("data-value", "2");
        await Expect(page.Locator($"ol[data-context=checkout] li[data-widget='{widgetId}']")).ToContainTextAsync("0.0% (95 % interval 0.0%–65.8%, 0 of 2)");
    }

    [Fact]
    public async Task The_conversions_page_lists_a_signup_and_downloads_it_as_spreadsheet_safe_CSV()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId("Rewards to download");
        var shown = await location.ShowQrCode(widgetId, profile: CustomerLinks.Profile("=HYPERLINK(\"http://evil.test\")"));
        await using (var phone = await chromium.Browser.NewContextAsync())
        {
            var landing = await phone.NewPageAsync();
            await landing.GotoAsync(shown.LandingUrl.ToString());
            await landing.GetByLabel("Email", new() { Exact = true }).FillAsync("grace@example.com");
            await landing.GetByRole(AriaRole.Checkbox).CheckAsync();
            await landing.GetByRole(AriaRole.Button, new() { Name = "Join now" }).ClickAsync();
            await Eventually.Holds(async () => (await location.Conversions()).Count == 1, GatewayFixture.Patience, "the signup to be recorded");
        }

        var (context, page) = await ConsoleSession.SignedIn(chromium.Browser, gateway, GatewayFixture.AdminClientId, GatewayFixture.AdminClientSecret);
        await using var _ = context;
        await page.GotoAsync(ConsoleSession.LocationPath(location, "conversions"));
        await Expect(page.Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("tbody tr")).ToContainTextAsync("grace@example.com");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download CSV" }).ClickAsync());
        Assert.StartsWith("conversions-pax-", download.SuggestedFilename, StringComparison.Ordinal);
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("at,sessionId,widgetId,widgetType,", lines[0], StringComparison.Ordinal);
        Assert.Equal(2, lines.Length);
        Assert.Contains("\"grace@example.com\"", lines[1], StringComparison.Ordinal);
        Assert.Contains("\"'=HYPERLINK(\"\"http://evil.test\"\")\"", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_restricted_admin_sees_only_its_locations_and_gets_not_found_for_another()
    {
        var mine = await gateway.CreateLocationAsync();
        var other = await gateway.CreateLocationAsync();
        var (clientId, secret) = await CreateAdmin(mine);
        var (context, page) = await ConsoleSession.SignedIn(chromium.Browser, gateway, clientId, secret);
        await using var _ = context;

        await Expect(page.GetByRole(AriaRole.Link, new() { Name = $"pax / {mine.LocationId}" })).ToBeVisibleAsync();
        await Expect(page.Locator("main a[href*='/console/locations/']")).ToHaveCountAsync(1);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Clients" })).ToHaveCountAsync(0);

        foreach (var path in new[] { "", "widgets", "widgets/new?type=survey", "terminals", "conversions", "privacy", "settings" })
        {
            var answer = await page.GotoAsync(ConsoleSession.LocationPath(other, path));
            Assert.Equal(404, answer!.Status);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not found" })).ToBeVisibleAsync();
        }

        // The CSV and the lanes' state, fetched with the same session cookie.
        Assert.Equal(404, (await page.APIRequest.GetAsync(ConsoleSession.LocationPath(other, "conversions.csv"))).Status);
        Assert.Equal(404, (await page.APIRequest.GetAsync(ConsoleSession.LocationPath(other, "terminals/live"))).Status);
        Assert.Equal(404, (await page.APIRequest.GetAsync(ConsoleSession.LocationPath(other, "brand.css"))).Status);
        Assert.Equal(200, (await page.APIRequest.GetAsync(ConsoleSession.LocationPath(mine, "terminals/live"))).Status);
        Assert.Equal(404, (await page.GotoAsync("/console/clients"))!.Status);
        Assert.Equal(200, (await page.GotoAsync(ConsoleSession.LocationPath(mine, "widgets")))!.Status);
    }

    [Fact]
    public async Task The_terminals_page_follows_a_lane_from_idle_to_live_without_reloading()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId("Lane watcher");
        var (context, page) = await ConsoleSession.SignedIn(chromium.Browser, gateway, GatewayFixture.AdminClientId, GatewayFixture.AdminClientSecret);
        await using var _ = context;
        await page.GotoAsync(ConsoleSession.LocationPath(location, "terminals"));
        var lane = page.Locator("tr[data-lane='lane-1']");
        await Expect(lane).ToHaveAttributeAsync("data-view", "idle");
        var marker = await page.EvaluateAsync<double>("() => window.__loadedAt = Math.random()");

        await location.ShowQrCode(widgetId, "lane-1");
        await Expect(lane).ToHaveAttributeAsync("data-view", "live", new() { Timeout = Patience });
        await Expect(lane.Locator(".view")).ToContainTextAsync("Join Rewards");
        Assert.Equal(marker, await page.EvaluateAsync<double>("() => window.__loadedAt"));

        // Register and remove through the page's forms.
        await page.GetByLabel("Terminal id").FillAsync("lane-9");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Lane 9 by the door");
        await page.GetByRole(AriaRole.Button, new() { Name = "Register terminal" }).ClickAsync();
        await Expect(page.Locator("tr[data-lane='lane-9']")).ToContainTextAsync("Lane 9 by the door");
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove terminal lane-9" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Terminal lane-9 removed.");
        using var gone = await location.Admin.GetAsync(location.AdminRoute("terminals/lane-9"));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task The_widget_form_can_be_filled_and_sent_with_the_keyboard_alone()
    {
        var location = await gateway.CreateLocationAsync();
        var (context, page) = await ConsoleSession.SignedIn(chromium.Browser, gateway, GatewayFixture.AdminClientId, GatewayFixture.AdminClientSecret);
        await using var _ = context;
        await page.GotoAsync(ConsoleSession.LocationPath(location, "widgets/new?type=contestEntry"));

        // From the top of the page: the skip link first, then on to the first field of the form.
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        await page.Keyboard.PressAsync("Enter");
        var focused = new List<string>();
        for (var i = 0; i < 60 && !focused.Contains("f-name"); i++)
        {
            await page.Keyboard.PressAsync("Tab");
            focused.Add(await page.EvaluateAsync<string>("() => document.activeElement.id || document.activeElement.tagName"));
        }

        Assert.Contains("f-name", focused);
        await page.Keyboard.TypeAsync("Keyboard contest");
        var order = new List<string>();
        for (var i = 0; i < 80; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            var id = await page.EvaluateAsync<string>("() => document.activeElement.id || document.activeElement.name || document.activeElement.textContent.trim()");
            if (order.Count > 0 && order[^1] == id)
            {
                continue; // a date-time input takes one Tab per part (day, month, year, hour, minute)
            }

            order.Add(id);
            if (id == "f-settings-contestRules")
            {
                await page.Keyboard.TypeAsync("No purchase necessary.");
            }

            if (id == "Create widget")
            {
                break;
            }
        }

        Assert.Equal(["f-description", "f-icon", "Form.Checkout", "Form.Idle", "Form.PostPurchase", "Form.Qr", "Form.Sms", "Form.Email", "f-timeoutSeconds", "f-sortOrder", "f-status", "f-startsAt", "f-endsAt"],
            order.Take(13));
        Assert.Contains("f-settings-contestRules", order);
        Assert.Equal("Create widget", order[^1]);
        await page.Keyboard.PressAsync("Space");
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("“Keyboard contest” created.");
    }

    private static JsonObject LocationDraft(string name) => GatewayLocation.Draft(name);

    /// <summary>A widgets_admin client granted only <paramref name="location"/>, created through the operator API.</summary>
    private async Task<(string ClientId, string Secret)> CreateAdmin(GatewayLocation location)
    {
        var clientId = $"admin-{location.LocationId}";
        using var created = await location.Admin.PostJson("/v2/admin/clients", new
        {
            clientId,
            scopes = new[] { "widgets_admin" },
            locations = new[] { new { posSystemId = location.PosSystemId, posLocationId = location.LocationId } },
        });
        return (clientId, (await created.Data(HttpStatusCode.Created)).Text("clientSecret"));
    }
}
