using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Widgets.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Widgets.Tests.Customer;

/// <summary>The customer pages in a real Chromium: the screen page on a landscape display and the landing page on a phone.</summary>
[Collection(GatewayCollection.Name)]
public sealed partial class BrowserTests(GatewayFixture gateway, ChromiumFixture chromium, ITestOutputHelper output) : IClassFixture<ChromiumFixture>
{
    private static readonly float Patience = (float)GatewayFixture.Patience.TotalMilliseconds;

    [Fact]
    public async Task Screen_shows_the_qr_and_a_countdown_then_follows_the_phone_from_scan_to_thanks_after_a_loyalty_signup()
    {
        var location = await gateway.CreateLocationAsync();
        var draft = GatewayLocation.Draft("Rewards in Chromium", timeoutSeconds: 45);
        draft["content"]!["headline"] = "Join Rewards on your phone";
        var widgetId = (await location.CreateWidget(draft)).Int("id");
        var shown = await location.ShowQrCode(widgetId);

        await using var display = await chromium.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        var screen = await display.NewPageAsync();
        var opened = await screen.GotoAsync(shown.ScreenUrl.ToString());
        Assert.Equal(200, opened!.Status);

        var live = screen.Locator("[data-view=live]");
        await Expect(live.GetByRole(AriaRole.Heading, new() { Name = "Join Rewards on your phone" })).ToBeVisibleAsync(new() { Timeout = Patience });
        var qr = live.GetByRole(AriaRole.Img, new() { Name = "QR code: scan it with your phone's camera" });
        await Expect(qr).ToBeVisibleAsync(new() { Timeout = Patience });
        await Expect(qr).ToHaveJSPropertyAsync("complete", true, new() { Timeout = Patience });
        Assert.True(await qr.EvaluateAsync<int>("img => img.naturalWidth") > 0, "The QR image did not load.");
        var countdown = live.Locator(".countdown");
        await Expect(countdown).ToHaveTextAsync(Countdown(), new() { Timeout = Patience });
        var left = Seconds(await countdown.InnerTextAsync());
        Assert.InRange(left, 1, 45);

        await using var phone = await chromium.Browser.NewContextAsync(new()
        {
            ViewportSize = new() { Width = 390, Height = 844 },
            IsMobile = true,
            HasTouch = true,
            DeviceScaleFactor = 3,
        });
        var landing = await phone.NewPageAsync();
        Assert.Equal(200, (await landing.GotoAsync(shown.LandingUrl.ToString()))!.Status);
        await Expect(landing.GetByRole(AriaRole.Heading, new() { Name = "Join Rewards on your phone" })).ToBeVisibleAsync();

        await Expect(screen.GetByRole(AriaRole.Heading, new() { Name = "Scanned — continue on your phone" })).ToBeVisibleAsync(new() { Timeout = Patience });

        await Expect(landing.GetByLabel("First name", new() { Exact = true })).ToHaveValueAsync("Ada");
        await landing.GetByLabel("First name", new() { Exact = true }).FillAsync("Grace");
        await landing.GetByLabel("Email", new() { Exact = true }).FillAsync("grace@example.com");
        await landing.GetByRole(AriaRole.Checkbox).CheckAsync();
        await landing.GetByRole(AriaRole.Button, new() { Name = "Join now" }).ClickAsync();

        await Expect(landing.GetByRole(AriaRole.Heading, new() { Name = "Welcome to the program, Grace!" })).ToBeVisibleAsync(new() { Timeout = Patience });
        await Screenshot(landing, "landing-welcome");
        await Expect(screen.GetByRole(AriaRole.Heading, new() { Name = "Thanks!" })).ToBeVisibleAsync(new() { Timeout = Patience });
        await Expect(live).ToBeHiddenAsync();
        await Screenshot(screen, "screen-thanks");

        var row = await location.StatsWhen(widgetId, r => r.Long("converted") == 1, "the browser signup to be counted");
        Assert.Equal(1, row.Long("scanned"));
    }

    /// <summary>Saves a screenshot next to the test assembly for whoever debugs a failure; not asserted.</summary>
    private async Task Screenshot(IPage page, string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "screenshots", $"{name}.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        output.WriteLine($"Screenshot: {path}");
    }

    private static int Seconds(string text)
    {
        var match = Countdown().Match(text.Trim());
        Assert.True(match.Success, $"The countdown shows '{text}'.");
        return (int.Parse(match.Groups["m"].Value, System.Globalization.CultureInfo.InvariantCulture) * 60)
            + int.Parse(match.Groups["s"].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^(?<m>\d+):(?<s>[0-5]\d)$")]
    private static partial Regex Countdown();
}
