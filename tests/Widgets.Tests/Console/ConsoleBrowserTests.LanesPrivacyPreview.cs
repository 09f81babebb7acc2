using System.Net;
using Microsoft.Playwright;
using Widgets.Tests.Customer;
using Widgets.Tests.Infrastructure;
using Widgets.Tests.Screen;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Widgets.Tests.Console;

/// <summary>The console's screen links, privacy erasure and widget preview, in Chromium.</summary>
public sealed partial class ConsoleBrowserTests
{
    [Fact]
    public async Task The_terminals_page_gives_each_lanes_screen_link_as_carousel_does_and_revoking_it_unpairs_the_open_screen()
    {
        var location = await gateway.CreateLocationAsync();
        await location.IdleWidget("Linked rewards");
        var before = await location.Carousel("lane-1");
        var (context, page) = await ConsoleSession.SignedIn(chromium.Browser, gateway, GatewayFixture.AdminClientId, GatewayFixture.AdminClientSecret);
        await using var _ = context;
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = gateway.BaseAddress.GetLeftPart(UriPartial.Authority) });
        await page.GotoAsync(ConsoleSession.LocationPath(location, "terminals"));

        var cell = page.Locator("td[data-screen-link='lane-1']");
        await Expect(cell.GetByRole(AriaRole.Textbox, new() { Name = "Screen link of lane-1" })).ToHaveValueAsync(before);
        await Expect(page.Locator("td[data-screen-link='lane-2']").GetByRole(AriaRole.Textbox)).ToHaveValueAsync(await location.Carousel("lane-2"));

        // Copy puts it on the clipboard; Open shows the lane's screen in a new tab.
        await cell.GetByRole(AriaRole.Button, new() { Name = "Copy link of lane-1" }).ClickAsync();
        await Expect(cell.GetByRole(AriaRole.Button, new() { Name = "Copied" })).ToBeVisibleAsync();
        Assert.Equal(before, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        var screen = await page.RunAndWaitForPopupAsync(() => cell.GetByRole(AriaRole.Link, new() { Name = "Open screen of lane-1 (new tab)" }).ClickAsync());
        Assert.Equal(before, screen.Url);
        await screen.ShowsView("idle");
        await Expect(screen.Locator("[data-for=idle] .slide.current h1")).ToHaveTextAsync("Linked rewards");

        // Revoking asks first, then the open screen says it is not paired and the page shows the new link.
        var revoke = page.GetByRole(AriaRole.Button, new() { Name = "Revoke the screen link of lane-1" });
        await Expect(revoke).ToBeHiddenAsync();
        await page.Locator("tr[data-lane='lane-1'] summary").ClickAsync();
        await revoke.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The screen link of lane-1 was revoked");
        await screen.ShowsView("unpaired");

        var after = await location.Carousel("lane-1");
        Assert.NotEqual(before, after);
        await Expect(page.Locator("td[data-screen-link='lane-1']").GetByRole(AriaRole.Textbox)).ToHaveValueAsync(after);

        var old = await context.NewPageAsync();
        Assert.Equal(404, (await old.GotoAsync(before))!.Status);
        await old.ShowsView("unpaired");
        Assert.Equal(200, (await old.GotoAsync(after))!.Status);
        await old.ShowsView("idle");
    }

    [Fact]
    public async Task Erasing_a_customer_by_email_on_the_privacy_page_removes_their_contact_details_from_the_conversions()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId("Rewards to forget");
        await SignUpOnThePhone(location, widgetId, "Grace", "grace@example.com");

        var (context, page) = await ConsoleSession.SignedIn(chromium.Browser, gateway, GatewayFixture.AdminClientId, GatewayFixture.AdminClientSecret);
        await using var _ = context;
        await page.GotoAsync(ConsoleSession.LocationPath(location, "conversions"));
        await Expect(page.Locator("tbody tr")).ToContainTextAsync("grace@example.com");

        // A bad email is refused next to its field, and nothing is erased.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Location" }).GetByRole(AriaRole.Link, new() { Name = "Privacy" }).ClickAsync();
        await page.GetByLabel("Email").FillAsync("grace@");
        var refused = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Erase this customer's data" }).ClickAsync(), r => r.Request.Method == "POST");
        Assert.Equal(422, refused.Status);
        await Expect(page.Locator("#email-error")).ToHaveTextAsync("Not a valid email address.");
        await Expect(page.GetByLabel("Email")).ToHaveAttributeAsync("aria-invalid", "true");
        Assert.Equal("grace@example.com", Assert.Single(await location.Conversions())!.Text("email"));

        // The right email (as the customer might type it) erases them, and the page says what it erased.
        await page.GetByLabel("Email").FillAsync("  Grace@Example.com ");
        await page.GetByRole(AriaRole.Button, new() { Name = "Erase this customer's data" }).ClickAsync();
        var summary = page.GetByRole(AriaRole.Status);
        await Expect(summary.GetByRole(AriaRole.Heading, new() { Name = "Erased" })).ToBeVisibleAsync();
        await Expect(summary.Locator("dd[data-count=conversions]")).ToHaveTextAsync("1");
        await Expect(summary.Locator("dd[data-count=sessions]")).ToHaveTextAsync("1");
        await Expect(page.GetByLabel("Email")).ToHaveValueAsync("");

        await page.GotoAsync(ConsoleSession.LocationPath(location, "conversions"));
        var row = page.Locator("tbody tr");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row.Locator("td[data-erased]")).ToContainTextAsync("erased");
        await Expect(page.Locator("main")).Not.ToContainTextAsync("grace@example.com");
        await Expect(page.Locator("main")).Not.ToContainTextAsync("Grace");
        var conversion = Assert.Single(await location.Conversions())!;
        Assert.Null(conversion["email"]);
        Assert.Null(conversion["firstName"]);

        // Again: nothing is left to erase.
        await page.GotoAsync(ConsoleSession.LocationPath(location, "privacy"));
        await page.GetByLabel("Email").FillAsync("grace@example.com");
        await page.GetByRole(AriaRole.Button, new() { Name = "Erase this customer's data" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).GetByRole(AriaRole.Heading, new() { Name = "Nothing left to erase" })).ToBeVisibleAsync();
        await Expect(page.Locator("dd[data-count=conversions]")).ToHaveTextAsync("0");
    }

    [Fact]
    public async Task A_restricted_admin_gets_not_found_for_the_privacy_page_of_another_location_and_erases_nothing_there()
    {
        var mine = await gateway.CreateLocationAsync();
        var other = await gateway.CreateLocationAsync();
        var widgetId = await other.CreateWidgetId("Someone else's rewards");
        await SignUpOnThePhone(other, widgetId, "Hedy", "hedy@example.com");

        var (clientId, secret) = await CreateAdmin(mine);
        using var console = await ConsoleSession.Http(gateway, clientId, secret);
        using (var page = await console.Get(ConsoleSession.LocationPath(other, "privacy")))
        {
            Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        }

        using (var posted = await console.PostForm(ConsoleSession.LocationPath(other, "privacy"), "erase", new() { ["Form.Email"] = "hedy@example.com" },
            tokenFrom: ConsoleSession.LocationPath(mine, "privacy")))
        {
            // The page renders no form for a location the admin may not manage, so the framework refuses the post (400).
            Assert.InRange((int)posted.StatusCode, 400, 499);
            Assert.DoesNotContain("data-count", await posted.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal("hedy@example.com", Assert.Single(await other.Conversions())!.Text("email"));
    }

    /// <summary>A customer joins <paramref name="widgetId"/> on the landing page, in a browser, as <paramref name="email"/>: one conversion.</summary>
    private async Task SignUpOnThePhone(GatewayLocation location, int widgetId, string firstName, string email)
    {
        var shown = await location.ShowQrCode(widgetId, profile: CustomerLinks.Profile(firstName));
        await using var phone = await chromium.Browser.NewContextAsync();
        var landing = await phone.NewPageAsync();
        await landing.GotoAsync(shown.LandingUrl.ToString());
        await landing.GetByLabel("Email", new() { Exact = true }).FillAsync(email);
        await landing.GetByRole(AriaRole.Checkbox).CheckAsync();
        await landing.GetByRole(AriaRole.Button, new() { Name = "Join now" }).ClickAsync();
        await Eventually.Holds(async () => (await location.Conversions()).Count == 1, GatewayFixture.Patience, "the signup to be recorded");
    }

    [Fact]
    public async Task The_widget_preview_shows_the_idle_tile_in_the_brand_colours_and_the_landing_form_in_the_location_language()
    {
        var location = await gateway.CreateLocationAsync();
        await location.PutSettings(new
        {
            name = "Corner store",
            brand = new { name = "Corner Café", primaryColor = "#B00020", backgroundColor = "#101820" },
            locale = "fr",
            selfStart = true,
        });
        var (context, page) = await ConsoleSession.SignedIn(chromium.Browser, gateway, GatewayFixture.AdminClientId, GatewayFixture.AdminClientSecret);
        await using var _ = context;
        await page.GotoAsync(ConsoleSession.LocationPath(location, "widgets/new?type=contestEntry"));
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Win a hamper");
        await page.GetByLabel("Description").FillAsync("One entry per customer");
        await page.GetByLabel("Headline").FillAsync("Enter the draw");
        await page.GetByLabel("Contest rules").FillAsync("Drawn on the 1st.");
        await page.GetByLabel("Icon URL").FillAsync("/icons/demo/loyalty.svg");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create widget" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("“Win a hamper” created.");
        await page.GetByRole(AriaRole.Link, new() { Name = "Win a hamper", Exact = true }).ClickAsync();

        var tile = page.Locator("figure[data-preview=idle] .preview-screen");
        await Expect(tile).ToContainTextAsync("Corner Café");
        await Expect(tile).ToContainTextAsync("Win a hamper");
        await Expect(tile).ToContainTextAsync("One entry per customer");
        await Expect(tile).ToHaveCSSAsync("background-color", "rgb(16, 24, 32)");
        await Expect(tile.Locator(".pv-icon")).ToHaveCSSAsync("background-color", "rgb(176, 0, 32)");
        Assert.True(await tile.Locator("img.pv-icon").EvaluateAsync<int>("img => img.naturalWidth") > 0, "The widget's icon did not load in the preview.");
        await Expect(tile.Locator(".pv-tap")).ToBeVisibleAsync(); // self-start is on: the tile invites a tap

        var phone = page.Locator("figure[data-preview=phone]");
        await Expect(phone).ToContainTextAsync("Enter the draw");
        await Expect(phone.Locator(".rules")).ToHaveTextAsync("Drawn on the 1st.");
        await Expect(phone.Locator("[lang=fr]")).ToHaveCountAsync(1);
        await Expect(phone.Locator("input[type=checkbox][name=acceptRules]")).ToBeDisabledAsync();
        await Expect(page.Locator("figure[data-preview=live] .pv-title")).ToHaveTextAsync("Enter the draw");

        // A picture, not a form: none of its controls can be used.
        await Expect(phone.Locator("input:not([type=hidden]), textarea")).Not.ToHaveCountAsync(0);
        await Expect(phone.Locator("input:not([type=hidden]):enabled, textarea:enabled")).ToHaveCountAsync(0);
    }
}
