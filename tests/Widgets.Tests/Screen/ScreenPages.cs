using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Widgets.Tests.Customer;
using Widgets.Tests.Infrastructure;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Widgets.Tests.Screen;

/// <summary>What the terminal screen tests share: asking the POS for a screen link and reading the page's state.</summary>
internal static class ScreenPages
{
    public static readonly float Patience = (float)GatewayFixture.Patience.TotalMilliseconds;

    /// <summary><c>POST …/carousel</c> as ClearLine documents it; the screen link.</summary>
    public static async Task<string> Carousel(this GatewayLocation location, string terminalId = "lane-1")
    {
        using var response = await location.Pos.PostJson(location.PosRoute("carousel"), new { posLocationId = location.LocationId, terminalId }, GatewayJson.JsonPatch);
        var data = await response.Data();
        Assert.Null(data["expiresAt"]);
        return data.Text("url");
    }

    /// <summary>A widget on the idle screen, as an operator sets it up.</summary>
    public static async Task<int> IdleWidget(this GatewayLocation location, string name, int timeoutSeconds = 45, string? icon = "/icons/demo/loyalty.svg") =>
        (await location.CreateWidget(IdleDraft(name, timeoutSeconds, icon))).Int("id");

    /// <summary>The draft of a widget shown only on the idle screen.</summary>
    public static JsonObject IdleDraft(string name, int timeoutSeconds = 45, string? icon = "/icons/demo/loyalty.svg")
    {
        var draft = GatewayLocation.Draft(name, timeoutSeconds);
        draft["icon"] = icon;
        draft["contexts"] = new JsonArray("idle");
        draft["content"]!["headline"] = $"{name} — scan to join";
        return draft;
    }

    public static async Task PutSettings(this GatewayLocation location, object settings)
    {
        using var response = await location.Admin.PutJson(location.AdminRoute("settings"), settings);
        await response.Data();
    }

    public static ILocator ScreenMain(this IPage page) => page.Locator("main#screen");

    public static Task ShowsView(this IPage page, string view, float? timeout = null) =>
        Expect(page.ScreenMain()).ToHaveAttributeAsync("data-view", view, new() { Timeout = timeout ?? Patience });

    /// <summary>The QR code as the screen shows it, decoded from a screenshot of the page.</summary>
    public static async Task<string> DecodeQr(this IPage page)
    {
        var qr = page.Locator("[data-for=live] .qr img");
        await Expect(qr).ToHaveJSPropertyAsync("complete", true, new() { Timeout = Patience });
        Assert.True(await qr.EvaluateAsync<int>("img => img.naturalWidth") > 0, "The QR image did not load.");
        // A screenshot of the code as the screen draws it (the decoder wants the code alone, with its quiet zone).
        return QrDecoder.Decode(await qr.ScreenshotAsync());
    }

    /// <summary>Marks the page, so a test can tell it was never reloaded (a reload forgets the mark).</summary>
    public static Task Mark(this IPage page) => page.EvaluateAsync("() => { window.__notReloaded = true; }");

    public static async Task AssertNotReloaded(this IPage page) =>
        Assert.True(await page.EvaluateAsync<bool>("() => window.__notReloaded === true"), "The screen page was reloaded.");

    public static async Task<HttpStatusCode> Status(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        return response.StatusCode;
    }
}
