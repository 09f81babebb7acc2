using System.Diagnostics;
using System.Text.RegularExpressions;
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

    [Fact]
    public async Task Screen_stream_sends_the_idle_carousel_only_when_the_page_shows_another_one()
    {
        var location = await gateway.CreateLocationAsync();
        await location.IdleWidget("Only one");
        var link = new Uri(await location.Carousel());
        using var kiosk = gateway.Anonymous();
        var page = await kiosk.GetStringAsync(link.AbsolutePath);
        var version = Regex.Match(page, "data-idle-version=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(version);

        // A page (or a reconnect) that already shows the current carousel gets the state only.
        var current = await FirstEvents(kiosk, $"{link.AbsolutePath}/events?idle={Uri.EscapeDataString(version)}");
        Assert.DoesNotContain(current, e => e.Type == "idle");

        // One that shows an older carousel gets the new one before the state.
        var stale = await FirstEvents(kiosk, $"{link.AbsolutePath}/events?idle=older");
        var idle = Assert.Single(stale, e => e.Type == "idle");
        Assert.Contains("\"name\":\"Only one\"", idle.Data, StringComparison.Ordinal);
        Assert.Contains($"\"version\":\"{version}\"", idle.Data, StringComparison.Ordinal);
    }

    /// <summary>The events of a screen stream up to and including its first <c>state</c> event.</summary>
    private static async Task<List<(string Type, string Data)>> FirstEvents(HttpClient client, string path)
    {
        using var patience = new CancellationTokenSource(GatewayFixture.Patience);
        using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, patience.Token);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(patience.Token));
        var events = new List<(string Type, string Data)>();
        var (type, data) = ("", "");
        while (await reader.ReadLineAsync(patience.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line[6..];
            }
            else if (line.Length == 0 && type.Length > 0)
            {
                events.Add((type, data));
                if (type == "state")
                {
                    return events;
                }

                (type, data) = ("", "");
            }
        }

        throw new Xunit.Sdk.XunitException($"The stream ended before a state event: {string.Join(", ", events.Select(e => e.Type))}");
    }
}
