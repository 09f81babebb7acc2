using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Widgets.Tests.Cluster;
using Widgets.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Widgets.Tests.Deploy;

/// <summary>
/// What an orchestrator's probes see of real processes in cluster mode: a gateway started before any silo, then a
/// silo, then PostgreSQL frozen. Liveness must answer from the first second and depend on nothing; readiness must
/// say whether this instance can serve, and a shared dependency's blip must not take instances out of rotation.
/// </summary>
[Collection(ClusterFaultCollection.Name)]
public sealed class ProbeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ProcessStart = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_gateway_without_silos_is_live_at_once_and_unready_until_a_silo_joins_and_PostgreSQL_frozen_for_8_s_unreadies_nobody()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var logs = Path.Combine(ProcessCluster.RepositoryRoot, "tests", "Widgets.Tests", "bin", "cluster-logs", "probes");
        var closedPort = ClusterTestSettings.FreePort();
        var shared = new Dictionary<string, string>
        {
            ["Widgets__Mode"] = "Cluster",
            ["ConnectionStrings__Postgres"] = postgres.ConnectionString,
            ["Orleans__ClusterId"] = $"probes-{Guid.NewGuid():N}"[..20],
            ["Orleans__AdvertisedIP"] = "127.0.0.1",
            ["Auth__SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)),
            ["Widgets__DataDirectory"] = Directory.CreateTempSubdirectory("widgets-probes-").FullName,
            ["DOTNET_GCDynamicAdaptationMode"] = "1",

            // No mail relay listens here: the silo's readiness must call that degraded, not unready.
            ["Email__Smtp__Host"] = "127.0.0.1",
            ["Email__Smtp__Port"] = closedPort.ToString(CultureInfo.InvariantCulture),
        };
        var gatewayUrl = new Uri($"http://127.0.0.1:{ClusterTestSettings.FreePort()}");
        var siloUrl = new Uri($"http://127.0.0.1:{ClusterTestSettings.FreePort()}");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        var launched = Stopwatch.StartNew();
        await using var gateway = HostProcess.Start("gateway", HostProcess.GatewayDll, With(shared, ("Urls", gatewayUrl.ToString())), logs);
        await Eventually.Holds(async () => (await GetAsync(http, gatewayUrl, "/healthz")).Status == 200, ProcessStart, "the gateway's /healthz");
        output.WriteLine($"gateway live {launched.Elapsed.TotalSeconds:0.0} s after launch, no silo running");

        // No silo for 5 s: live throughout, never ready, and a POS call is a retryable 503 at once, not a hang.
        var noSiloUntil = DateTimeOffset.UtcNow.AddSeconds(5);
        while (DateTimeOffset.UtcNow < noSiloUntil)
        {
            Assert.Equal(200, (await GetAsync(http, gatewayUrl, "/healthz")).Status);
            var ready = await GetAsync(http, gatewayUrl, "/readyz");
            Assert.True(ready.Status == 503, $"/readyz without a silo answered {ready}");
            Assert.Equal("not_ready", JsonNode.Parse(ready.Body)?["code"]?.GetValue<string>());
            Assert.Equal("unhealthy", JsonNode.Parse(ready.Body)?["checks"]?["cluster"]?["status"]?.GetValue<string>());
            await Eventually.ClockPasses(DateTimeOffset.UtcNow.AddMilliseconds(250));
        }

        var clock = Stopwatch.StartNew();
        using (var list = await http.PostAsync(new Uri(gatewayUrl, "/v2/pos/demo/widgets/list"), new StringContent("{}", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(503, (int)list.StatusCode);
            Assert.NotNull(list.Headers.RetryAfter);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the 503 took {clock.Elapsed.TotalSeconds:0.0} s");
        }

        // A silo: its liveness answers before it has joined, its readiness only after. PostgreSQL (the membership
        // table) is frozen while it starts, so it cannot join however fast it starts: live, and unready, until thawed.
        launched.Restart();
        TimeSpan? siloLive = null, siloReady = null;
        var unreadyAnswers = 0;
        await postgres.PauseAsync();
        await using var silo = HostProcess.Start("silo", HostProcess.SiloDll, With(shared,
            ("Urls", siloUrl.ToString()),
            ("Orleans__SiloPort", ClusterTestSettings.FreePort().ToString(CultureInfo.InvariantCulture)),
            ("Orleans__GatewayPort", ClusterTestSettings.FreePort().ToString(CultureInfo.InvariantCulture))), logs);
        try
        {
            await Eventually.Holds(async () => (await GetAsync(http, siloUrl, "/healthz")).Status == 200, ProcessStart, "the silo's /healthz while PostgreSQL is frozen");
            siloLive = launched.Elapsed;
            var joining = await GetAsync(http, siloUrl, "/readyz");
            Assert.True(joining.Status == 503, $"the silo's /readyz answered {joining} before it could join");
            unreadyAnswers++;
        }
        finally
        {
            await postgres.ResumeAsync();
        }

        await Eventually.Holds(async () =>
        {
            var ready = await GetAsync(http, siloUrl, "/readyz");
            unreadyAnswers += ready.Status == 503 ? 1 : 0;
            siloReady ??= ready.Status == 200 ? launched.Elapsed : null;
            return siloReady is not null;
        }, TimeSpan.FromSeconds(60), "the silo's /readyz once PostgreSQL thawed");
        output.WriteLine($"silo live after {siloLive?.TotalSeconds:0.0} s, ready after {siloReady?.TotalSeconds:0.0} s ({unreadyAnswers} answers of 503 before)");
        Assert.True(siloLive is not null && siloLive < siloReady, $"the silo was live at {siloLive}, ready at {siloReady}: liveness must not wait for the cluster");

        var gatewayReady = await Eventually.Returns(() => GetAsync(http, gatewayUrl, "/readyz"), r => r.Status == 200, TimeSpan.FromSeconds(60), "the gateway's /readyz once a silo runs");
        output.WriteLine($"gateway ready: {gatewayReady.Body}");
        var siloReadiness = await GetAsync(http, siloUrl, "/readyz");
        output.WriteLine($"silo ready: {siloReadiness.Body}");
        Assert.Equal("degraded", JsonNode.Parse(siloReadiness.Body)?["status"]?.GetValue<string>());
        Assert.Equal("degraded", JsonNode.Parse(siloReadiness.Body)?["checks"]?["email"]?["status"]?.GetValue<string>());

        // PostgreSQL freezes for 8 s: both instances stay ready; storage shows as degraded.
        var storageDegraded = 0;
        var answers = new List<string>();
        await postgres.PauseAsync();
        try
        {
            var until = DateTimeOffset.UtcNow.AddSeconds(8);
            while (DateTimeOffset.UtcNow < until)
            {
                foreach (var (name, url) in new[] { ("gateway", gatewayUrl), ("silo", siloUrl) })
                {
                    var ready = await GetAsync(http, url, "/readyz");
                    answers.Add($"{name} {ready.Status}");
                    Assert.True(ready.Status == 200, $"{name}'s /readyz answered {ready} while PostgreSQL was frozen");
                    storageDegraded += JsonNode.Parse(ready.Body)?["checks"]?["storage"]?["status"]?.GetValue<string>() == "degraded" ? 1 : 0;
                }

                await Eventually.ClockPasses(DateTimeOffset.UtcNow.AddMilliseconds(500));
            }
        }
        finally
        {
            await postgres.ResumeAsync();
        }

        output.WriteLine($"while PostgreSQL was frozen: {answers.Count} readiness answers, all 200; storage degraded in {storageDegraded}");
        Assert.True(storageDegraded > 0, "no readiness answer noticed that PostgreSQL was frozen");
    }

    private static Dictionary<string, string> With(IReadOnlyDictionary<string, string> shared, params (string Key, string Value)[] more)
    {
        var all = new Dictionary<string, string>(shared);
        foreach (var (key, value) in more)
        {
            all[key] = value;
        }

        return all;
    }

    /// <summary>One GET; a refused or timed-out connection is status 0.</summary>
    internal static async Task<(int Status, string Body)> GetAsync(HttpClient http, Uri host, string path)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(host, path));
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return (0, ex.Message);
        }
    }
}
