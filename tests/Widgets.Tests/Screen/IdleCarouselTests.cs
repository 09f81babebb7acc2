using System.Diagnostics;
using Widgets.Tests.Customer;
using Widgets.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Widgets.Tests.Screen;

/// <summary>The idle carousel of an open screen follows the operator's catalogue, without a reload.</summary>
[Collection(GatewayCollection.Name)]
public sealed class IdleCarouselTests(GatewayFixture gateway, ChromiumFixture chromium, ITestOutputHelper output) : IClassFixture<ChromiumFixture>
{
    /// <summary>The contract's bound for a screen to follow a change (API.md: back to idle within 2 s).</summary>
    private const float Within = 2000;

    [Fact]
    public async Task Idle_carousel_shows_a_widget_the_operator_creates_and_drops_it_when_paused_or_archived_without_reloading()
    {
        var location = await gateway.CreateLocationAsync();
        var first = await location.IdleWidget("Rewards club");
        await using var display = await chromium.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        var page = await display.NewPageAsync();
        await page.GotoAsync(await location.Carousel());
        await page.ShowsView("idle");
        var slides = page.Locator(".slides .slide h1");
        await Expect(slides).ToHaveTextAsync(["Rewards club"], new() { Timeout = ScreenPages.Patience });
        await page.Mark();

        var clock = Stopwatch.StartNew();
        var second = await location.IdleWidget("Weekend deals", icon: "/icons/demo/promotion.svg");
        await Expect(slides).ToHaveTextAsync(["Rewards club", "Weekend deals"], new() { Timeout = Within });
        output.WriteLine($"create → on the carousel: {clock.ElapsedMilliseconds} ms (create call included)");
        await Expect(page.Locator(".dots i")).ToHaveCountAsync(2);
        await Expect(page.Locator($".slide[data-widget-id='{second}'] img.wicon")).ToHaveJSPropertyAsync("naturalWidth", 64, new() { Timeout = ScreenPages.Patience });

        var paused = ScreenPages.IdleDraft("Rewards club");
        paused["status"] = "paused";
        using (var pause = await location.Admin.PutJson(location.AdminRoute($"widgets/{first}"), paused))
        {
            await pause.Data();
        }

        await Expect(slides).ToHaveTextAsync(["Weekend deals"], new() { Timeout = Within });
        await Expect(page.Locator(".dots")).ToHaveCountAsync(0);

        using (var archive = await location.Admin.DeleteAsync(location.AdminRoute($"widgets/{second}")))
        {
            await archive.Data();
        }

        // Nothing left to show: the calm branded idle view.
        await Expect(page.Locator(".slides .slide.current.calm h1")).ToHaveTextAsync("Welcome", new() { Timeout = Within });
        await page.ShowsView("idle");
        await page.AssertNotReloaded();
    }
}
