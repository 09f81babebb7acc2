using Microsoft.Playwright;
using Widgets.Tests.Cluster;
using Widgets.Tests.Customer;
using Widgets.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Widgets.Tests.Screen;

/// <summary>A kiosk's screen page outlives the gateway process: killed and restarted, the page reconnects by itself.</summary>
public sealed class ScreenRestartTests(ChromiumFixture chromium, ITestOutputHelper output) : IClassFixture<ChromiumFixture>
{
    private const string Pos = "/v2/pos/demo";
    private const string Admin = "/v2/admin/pos/demo/locations/store-1";

    [Fact]
    public async Task Screen_reconnects_after_the_gateway_process_is_killed_and_restarted_and_shows_the_next_session_without_reload()
    {
        await using var gateway = EmbeddedGatewayProcess.Create(new Dictionary<string, string> { ["Widgets:Sessions:MinTimeoutSeconds"] = "1" }, output.WriteLine);
        await gateway.StartAsync();
        int widgetId;
        string url;
        using (var admin = await GatewayClient.SignInAsync(gateway.BaseAddress, EmbeddedGatewayProcess.AdminClientId, EmbeddedGatewayProcess.AdminClientSecret, "widgets_admin"))
        {
            var draft = GatewayLocation.Draft("Restart-proof rewards");
            draft["contexts"] = new System.Text.Json.Nodes.JsonArray("idle");
            widgetId = (await admin.DataAsync(HttpMethod.Post, $"{Admin}/widgets", draft, status: 201))["id"]!.GetValue<int>();
        }

        using (var pos = await PosClient(gateway))
        {
            url = (await pos.DataAsync(HttpMethod.Post, $"{Pos}/carousel", new { posLocationId = "store-1", terminalId = "lane-2" }))["url"]!.GetValue<string>();
        }

        await using var display = await chromium.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        var page = await display.NewPageAsync();
        await page.GotoAsync(url);
        await page.ShowsView("idle");
        await page.Mark();

        await gateway.KillAsync();
        await gateway.StartAsync(sameAddress: true);

        using (var pos = await PosClient(gateway))
        {
            // The page reconnects with backoff; a start made before it is back still shows, since the first event is the terminal's state.
            var sessionId = (await pos.DataAsync(HttpMethod.Post, $"{Pos}/widget/start", new { posLocationId = "store-1", terminalId = "lane-2", widgetId }))["sessionId"]!.GetValue<string>();
            await Expect(page.ScreenMain()).ToHaveAttributeAsync("data-session-id", sessionId, new() { Timeout = 45_000 });
            await page.ShowsView("live");
        }

        await Expect(page.Locator(".toast")).ToBeHiddenAsync();
        await page.AssertNotReloaded();
    }

    private static Task<GatewayClient> PosClient(EmbeddedGatewayProcess gateway) =>
        GatewayClient.SignInAsync(gateway.BaseAddress, EmbeddedGatewayProcess.PosClientId, EmbeddedGatewayProcess.PosClientSecret, "pos_integration");
}
