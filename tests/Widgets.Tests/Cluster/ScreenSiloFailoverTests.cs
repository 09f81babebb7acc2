using System.Diagnostics;
using System.Text.RegularExpressions;
using Widgets.Tests.Customer;
using Widgets.Tests.Infrastructure;
using Widgets.Tests.Screen;
using Xunit;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Widgets.Tests.Cluster;

/// <summary>
/// A terminal's screen page in real Chromium, served by the gateway of a process cluster (<c>deploy/local-cluster.sh</c>:
/// PostgreSQL, two silos, one gateway), while the silo that holds the terminal's feed grain is killed with <c>kill -9</c>.
/// </summary>
[Collection(ClusterFaultCollection.Name)]
public sealed class ScreenSiloFailoverTests(ChromiumFixture chromium, ITestOutputHelper output) : IClassFixture<ChromiumFixture>
{
    private const string Pos = "/v2/pos/demo";
    private const string Admin = "/v2/admin/pos/demo/locations/store-1";

    /// <summary>
    /// From the POS's start being acknowledged to the screen showing it. The start can only succeed once the killed
    /// silo is declared dead (its terminal then activates on the survivor); the gateway renews its feeds as soon as it
    /// loses the silo's connection and again every 2 s while the terminal cannot be reached, so the screen follows
    /// within one such retry (2 s) plus its calls and the push, with room for a busy 2-core machine. Without that the
    /// screen waits for the feed's periodic renewal: the first comes 15–30 s after the screen connected, and here the
    /// start is acknowledged well under 15 s after it (setup plus failure detection, ~2–10 s), so it comes too late.
    /// </summary>
    private static readonly TimeSpan NewSessionBound = TimeSpan.FromSeconds(5);

    /// <summary>The contract's "idle within 2 s of the end", with room for the cluster's hops on a busy machine.</summary>
    private static readonly TimeSpan IdleBound = TimeSpan.FromSeconds(5);

    /// <summary>How long the POS retries a start that gets 503s: failure detection (~6–10 s) with a generous margin.</summary>
    private static readonly TimeSpan FailoverLimit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Screen_shows_the_next_session_and_then_idle_when_the_silo_holding_its_terminal_feed_is_killed()
    {
        await using var smtp = new SmtpSink();
        await smtp.StartAsync(ClusterTestSettings.FreePort());
        var settings = new Dictionary<string, string>(ClusterTestSettings.Hosts(smtp.Port))
        {
            // The terminal grain logs its activation at Debug: that names the silo holding the terminal's feed.
            ["Logging__LogLevel__Widgets.Grains.Sessions.TerminalGrain"] = "Debug",
        };
        await using var cluster = ProcessCluster.Create(output, settings);
        cluster.KeepLogsIn = Path.Combine(ProcessCluster.RepositoryRoot, "tests", "Widgets.Tests", "bin", "cluster-logs", "screen-failover");
        await cluster.UpAsync(silos: 2, gateways: 1);
        var gateway = cluster.Gateways[0];

        // A lane of its own, so its terminal activates exactly once before the kill.
        var terminalId = $"screen-{Guid.NewGuid().ToString("N")[..8]}";
        using (var admin = await GatewayClient.SignInAsync(gateway, ClusterTestSettings.AdminClientId, ClusterTestSettings.AdminClientSecret, "widgets_admin"))
        {
            await admin.DataAsync(HttpMethod.Put, $"{Admin}/terminals/{terminalId}", new { name = "Screen failover lane" });
        }

        using var pos = await GatewayClient.SignInAsync(gateway, ClusterTestSettings.PosClientId, ClusterTestSettings.PosClientSecret, "pos_integration");
        var widgetId = (await pos.DataAsync(HttpMethod.Post, $"{Pos}/widgets/list", new { posLocationId = "store-1", terminalId }))
            .AsArray().Select(w => w!["id"]!.GetValue<int>()).First();
        var url = (await pos.DataAsync(HttpMethod.Post, $"{Pos}/carousel", new { posLocationId = "store-1", terminalId }))["url"]!.GetValue<string>();

        await using var display = await chromium.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        var page = await display.NewPageAsync();
        var connected = Stopwatch.StartNew();
        await page.GotoAsync(url);
        await page.ShowsView("idle");
        await page.Mark();

        var before = await StartAsync(pos, terminalId, widgetId);
        await Expect(page.ScreenMain()).ToHaveAttributeAsync("data-session-id", before, new() { Timeout = ScreenPages.Patience });
        await page.ShowsView("live");

        // The silo whose log says the terminal activated there holds its feed: that one dies, so the screen's
        // subscription dies with it.
        var activated = new Regex($@"Terminal \S+/{Regex.Escape(terminalId)} activated");
        var holders = await Eventually.Returns(
            () => Task.FromResult(new[] { "silo-1", "silo-2" }.Where(s => activated.IsMatch(cluster.Log(s))).ToList()),
            h => h.Count > 0, TimeSpan.FromSeconds(10), $"a silo to log the activation of terminal {terminalId}");
        Assert.True(holders.Count == 1, $"The terminal activated on {string.Join(" and ", holders)} before the kill; expected one silo.");
        var victim = holders[0];
        var survivor = victim == "silo-1" ? "silo-2" : "silo-1";
        output.WriteLine($"terminal {terminalId} activated on {victim}; killing it (pid {cluster.Pid(victim)})");
        var clock = Stopwatch.StartNew();
        await cluster.KillAsync(victim);

        var after = await StartAsync(pos, terminalId, widgetId);
        var acknowledged = clock.Elapsed;
        output.WriteLine($"kill -9 → next start acknowledged: {acknowledged.TotalSeconds:0.0} s ({connected.Elapsed.TotalSeconds:0.0} s after the screen connected)");
        // Not vacuous: the terminal now lives on the survivor, in an activation that never heard of the screen.
        await Eventually.Holds(() => Task.FromResult(activated.IsMatch(cluster.Log(survivor))), TimeSpan.FromSeconds(10),
            $"{survivor} to log the terminal's new activation");

        await Expect(page.ScreenMain()).ToHaveAttributeAsync("data-session-id", after, new() { Timeout = (float)NewSessionBound.TotalMilliseconds });
        await page.ShowsView("live");
        output.WriteLine($"start acknowledged → the screen shows it: {(clock.Elapsed - acknowledged).TotalSeconds:0.0} s (bound {NewSessionBound.TotalSeconds:0} s)");

        var cancelled = await PostRetryingAsync(pos, $"{Pos}/widget/sessions/{after}/cancel", new { posLocationId = "store-1" });
        Assert.True(cancelled.IsSuccess, $"cancel: {cancelled}");
        var cancelledAt = clock.Elapsed;
        await page.ShowsView("idle", (float)IdleBound.TotalMilliseconds);
        output.WriteLine($"cancel → idle: {(clock.Elapsed - cancelledAt).TotalSeconds:0.0} s (bound {IdleBound.TotalSeconds:0} s)");
        await page.AssertNotReloaded();
    }

    private static async Task<string> StartAsync(GatewayClient pos, string terminalId, int widgetId)
    {
        var started = await PostRetryingAsync(pos, $"{Pos}/widget/start", new { posLocationId = "store-1", terminalId, widgetId });
        Assert.True(started.IsSuccess, $"widget/start: {started}");
        return started.Data["sessionId"]!.GetValue<string>();
    }

    /// <summary>As a POS does: a 503 is sent again after its <c>Retry-After</c>, for up to <see cref="FailoverLimit"/>.</summary>
    private static async Task<GatewayReply> PostRetryingAsync(GatewayClient pos, string path, object body)
    {
        var giveUpAt = DateTimeOffset.UtcNow + FailoverLimit;
        while (true)
        {
            var reply = await pos.PostAsync(path, body);
            if (reply is not { Status: 503, RetryAfter: { } retryAfter } || DateTimeOffset.UtcNow + retryAfter >= giveUpAt)
            {
                return reply;
            }

            await Task.Delay(retryAfter);
        }
    }
}
