using System.Net;
using Microsoft.Playwright;
using Widgets.Tests.Customer;
using Widgets.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Widgets.Tests.Screen;

/// <summary>
/// The terminal screen at the sizes customer displays come in: every view fits, text is large enough to read at arm's
/// length and the QR code is large and scans. Screenshots go next to the test assembly, and to
/// <c>$WIDGETS_SCREENSHOTS</c> when set (that is how docs/screens/ is made).
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ScreenLooksTests(GatewayFixture gateway, ChromiumFixture chromium, ITestOutputHelper output) : IClassFixture<ChromiumFixture>
{
    public static TheoryData<int, int> Displays => new() { { 800, 480 }, { 1024, 600 }, { 1280, 800 }, { 1920, 1080 }, { 1080, 1920 } };

    [Theory]
    [MemberData(nameof(Displays))]
    public async Task Every_view_fits_the_display_with_readable_text_and_a_large_scannable_qr(int width, int height)
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.IdleWidget("Join Rewards");
        await location.IdleWidget("Weekend deals", icon: "/icons/demo/promotion.svg");
        await location.PutSettings(new { selfStart = true, brand = new { name = "Corner Market", primaryColor = "#1F4FD1", backgroundColor = "#FFFFFF" } });
        await using var display = await chromium.Browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height } });
        var page = await display.NewPageAsync();
        var url = await location.Carousel();
        await page.GotoAsync(url);
        var size = $"{width}x{height}";

        await page.ShowsView("idle");
        await AssertReadable(page, "[data-for=idle] .slide.current h1", 24);
        await AssertInside(page, "[data-for=idle] .slide.current .tap");
        await Save(page, $"idle-{size}", width == 1280 ? "idle" : null);

        var sessionId = (await location.Start("lane-1", widgetId)).Text("sessionId");
        await page.ShowsView("live");
        await AssertReadable(page, "[data-for=live] h1", 24);
        await AssertInside(page, "[data-for=live] .timer");
        var qr = await page.Locator("[data-for=live] .qr img").BoundingBoxAsync();
        Assert.NotNull(qr);
        Assert.True(qr!.Width >= 0.4 * Math.Min(width, height), $"The QR code is {qr.Width:F0} px on a {size} display.");
        var landing = await page.DecodeQr();
        await Save(page, $"live-{size}", width == 1280 ? "live" : null);

        if (width != 1280)
        {
            return;
        }

        using var phone = gateway.Anonymous();
        using (var opened = await phone.GetAsync(landing))
        {
            var form = HtmlForm.Single(await opened.Content.ReadAsStringAsync());
            await page.ShowsView("scanned");
            await Save(page, "scanned-1280x800", "scanned");
            using var submitted = await phone.PostAsync(form.Target(new Uri(landing)),
                form.Submit(new Dictionary<string, string> { ["firstName"] = "Grace", ["email"] = "grace@example.com", ["consent"] = "yes" }));
            Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        }

        await page.ShowsView("thanks");
        await AssertReadable(page, "[data-for=thanks] h1", 28);
        await Save(page, "thanks-1280x800", "thanks");
        await page.ShowsView("idle");
        Assert.Equal("completed", await location.SessionState(sessionId));

        using (var revoked = await location.Admin.PostAsync(location.AdminRoute("terminals/lane-1/screen/revoke"), null))
        {
            await revoked.Data();
        }

        await page.ShowsView("unpaired");
        await AssertReadable(page, "[data-for=unpaired] h1", 28);
        await Save(page, "unpaired-1280x800", "unpaired");

        await location.PutSettings(new { locale = "es", brand = new { name = "Tienda Sol", logoUrl = "/icons/demo/contest.svg", primaryColor = "#C2410C", backgroundColor = "#111827" } });
        await page.GotoAsync(await location.Carousel());
        await page.ShowsView("idle");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "es");
        await Save(page, "idle-es-1280x800", "idle-es");
        await location.Start("lane-1", widgetId);
        await page.ShowsView("live");
        await Save(page, "live-es-1280x800", "live-es");
    }

    /// <summary>Text a customer reads from a step or two away: at least <paramref name="minPixels"/> px, and on screen.</summary>
    private static async Task AssertReadable(IPage page, string selector, double minPixels)
    {
        var text = page.Locator(selector);
        await Expect(text).ToBeVisibleAsync();
        var size = await text.EvaluateAsync<double>("e => parseFloat(getComputedStyle(e).fontSize)");
        Assert.True(size >= minPixels, $"{selector} is {size} px.");
        await AssertInside(page, selector);
    }

    private static async Task AssertInside(IPage page, string selector)
    {
        var box = await page.Locator(selector).BoundingBoxAsync();
        var viewport = page.ViewportSize!;
        Assert.NotNull(box);
        Assert.True(box!.X >= 0 && box.Y >= 0 && box.X + box.Width <= viewport.Width + 1 && box.Y + box.Height <= viewport.Height + 1,
            $"{selector} at ({box.X:F0}, {box.Y:F0}) {box.Width:F0}×{box.Height:F0} leaves the {viewport.Width}×{viewport.Height} display.");
    }

    private async Task Save(IPage page, string name, string? docsName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "screenshots", "screen", $"{name}.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new() { Path = path });
        output.WriteLine($"Screenshot: {path}");
        if (docsName is not null && Environment.GetEnvironmentVariable("WIDGETS_SCREENSHOTS") is { Length: > 0 } docs)
        {
            Directory.CreateDirectory(docs);
            File.Copy(path, Path.Combine(docs, $"{docsName}.png"), overwrite: true);
        }
    }
}
