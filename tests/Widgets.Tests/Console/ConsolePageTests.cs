using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Widgets.Tests.Customer;
using Widgets.Tests.Infrastructure;
using Widgets.Tests.Screen;
using Xunit;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Widgets.Tests.Console;

/// <summary>Every console page in Chromium: axe-core finds no serious or critical accessibility violation; each page is photographed.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ConsolePageTests(GatewayFixture gateway, ChromiumFixture chromium, ITestOutputHelper output) : IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task Every_console_page_passes_axe_without_serious_or_critical_violations()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId("Join Rewards");
        var survey = GatewayLocation.Draft("Quick survey");
        survey["type"] = "survey";
        survey["settings"] = new System.Text.Json.Nodes.JsonObject
        {
            ["surveyQuestions"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["id"] = "overall", ["text"] = "How was your visit?", ["kind"] = "rating" }),
        };
        var surveyId = (await location.CreateWidget(survey)).Int("id");
        await location.ShowQrCode(widgetId, "lane-1");
        await location.Start("lane-2", surveyId);
        await location.StatsWhen(widgetId, r => r.Long("qrShown") == 1, "the QR view to be counted");

        var pages = new (string Name, string Path)[]
        {
            ("locations", "/console/"),
            ("overview", ConsoleSession.LocationPath(location)),
            ("widgets", ConsoleSession.LocationPath(location, "widgets")),
            ("widget-new-coupon", ConsoleSession.LocationPath(location, "widgets/new?type=couponDelivery")),
            ("widget-edit-survey", ConsoleSession.LocationPath(location, $"widgets/{surveyId}")),
            ("terminals", ConsoleSession.LocationPath(location, "terminals")),
            ("conversions", ConsoleSession.LocationPath(location, "conversions")),
            ("privacy", ConsoleSession.LocationPath(location, "privacy")),
            ("settings", ConsoleSession.LocationPath(location, "settings")),
            ("clients", "/console/clients"),
            ("not-found", "/console/locations/pax/no-such-store-for-this-admin"),
        };

        var (context, page) = await ConsoleSession.SignedIn(chromium.Browser, gateway, GatewayFixture.AdminClientId, GatewayFixture.AdminClientSecret);
        await using var _ = context;
        var failures = new List<string>();
        foreach (var (name, path) in pages)
        {
            await page.GotoAsync(path);
            await Check(page, name, failures);
        }

        // The sign-in page, signed out, and once with an error shown.
        await using var anonymous = await chromium.Browser.NewContextAsync(new() { BaseURL = gateway.BaseAddress.ToString(), ViewportSize = new() { Width = 1280, Height = 800 } });
        var signIn = await anonymous.NewPageAsync();
        await signIn.GotoAsync("/console/signin");
        await Check(signIn, "signin", failures);
        await ConsoleSession.SignIn(signIn, "nobody", "wrong-secret");
        await Expect(signIn.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        await Check(signIn, "signin-refused", failures);

        // A form showing its inline errors.
        await page.GotoAsync(ConsoleSession.LocationPath(location, "settings"));
        await page.GetByLabel("Primary colour").FillAsync("blue");
        await page.GetByLabel("Carousel seconds").FillAsync("1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        await Check(page, "settings-errors", failures);

        // The widget preview (below the form), in a location with its own brand colours.
        await location.PutSettings(new { name = "Corner store", brand = new { name = "Corner Café", primaryColor = "#0B6E4F", backgroundColor = "#FFF8E7" }, selfStart = true });
        var idleWidgetId = await location.IdleWidget("Coffee club");
        await page.GotoAsync(ConsoleSession.LocationPath(location, $"widgets/{idleWidgetId}"));
        await page.EvaluateAsync("() => document.querySelector('.previews').scrollIntoView({ block: 'end' })");
        await Check(page, "widget-preview", failures);

        // The privacy page after an erasure, and refusing a bad phone number.
        await page.GotoAsync(ConsoleSession.LocationPath(location, "privacy"));
        await page.GetByLabel("Email").FillAsync("nobody@example.com");
        await page.GetByRole(AriaRole.Button, new() { Name = "Erase this customer's data" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToBeVisibleAsync();
        await Check(page, "privacy-erased", failures);
        await page.GetByLabel("Phone").FillAsync("call me");
        await page.GetByRole(AriaRole.Button, new() { Name = "Erase this customer's data" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        await Check(page, "privacy-errors", failures);

        // The overview at phone width.
        var (phone, small) = await ConsoleSession.SignedIn(chromium.Browser, gateway, GatewayFixture.AdminClientId, GatewayFixture.AdminClientSecret, 390, 844);
        await using var __ = phone;
        await small.GotoAsync(ConsoleSession.LocationPath(location, "widgets"));
        await Check(small, "widgets-phone", failures);

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private async Task Check(IPage page, string name, List<string> failures)
    {
        var results = await page.RunAxe();
        foreach (var violation in results.Violations.Where(v => v.Impact is "serious" or "critical"))
        {
            failures.Add($"{name}: {violation.Id} ({violation.Impact}) {violation.Help}: {string.Join(" | ", violation.Nodes.Take(3).Select(n => n.Html))}");
        }

        // For docs/console/ and for whoever debugs a failure; not asserted.
        var path = Path.Combine(AppContext.BaseDirectory, "screenshots", "console", $"{name}.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new() { Path = path, FullPage = false });
        output.WriteLine($"Screenshot: {path}");
    }
}
