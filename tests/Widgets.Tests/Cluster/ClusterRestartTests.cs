using System.Text.Json.Nodes;
using Widgets.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Widgets.Tests.Cluster;

/// <summary>
/// The whole process cluster goes down (<c>local-cluster.sh down</c>, which keeps the PostgreSQL data) and comes back
/// up: what operators and POS clients created must all be there, checked over HTTP as they would.
/// </summary>
[Collection(ClusterFaultCollection.Name)]
public sealed class ClusterRestartTests(ITestOutputHelper output)
{
    private const string PosSystem = "pax";

    [Fact]
    public async Task Catalogue_terminals_clients_session_end_states_and_stats_survive_a_restart_of_the_whole_cluster()
    {
        await using var smtp = new SmtpSink();
        await smtp.StartAsync(ClusterTestSettings.FreePort());
        await using var cluster = ProcessCluster.Create(output, ClusterTestSettings.Hosts(smtp.Port));
        cluster.KeepLogsIn = Path.Combine(ProcessCluster.RepositoryRoot, "tests", "Widgets.Tests", "bin", "cluster-logs", "restart");
        await cluster.UpAsync(silos: 2, gateways: 1);
        var gateway = cluster.Gateways[0];
        var store = $"store-{Guid.NewGuid():N}"[..20];
        string Admin(string path) => $"/v2/admin/pos/{PosSystem}/locations/{store}/{path}";
        string Pos(string path) => $"/v2/pos/{PosSystem}/{path}";

        // An operator sets up a location: two widgets, three terminals, a POS client for it.
        Snapshot before;
        string posClientId = $"pos-{store}", posSecret;
        var sessions = new Dictionary<string, string>();
        using (var admin = await GatewayClient.SignInAsync(gateway, ClusterTestSettings.AdminClientId, ClusterTestSettings.AdminClientSecret, "widgets_admin"))
        {
            var quick = (await admin.DataAsync(HttpMethod.Post, Admin("widgets"), Widget("Quick survey", "contactCollection", timeoutSeconds: 2), status: 201))["id"]!.GetValue<int>();
            var rewards = (await admin.DataAsync(HttpMethod.Post, Admin("widgets"), Widget("Rewards", "loyaltyEnrollment", timeoutSeconds: 60), status: 201))["id"]!.GetValue<int>();
            foreach (var terminal in new[] { "till-1", "till-2", "till-3" })
            {
                await admin.DataAsync(HttpMethod.Put, Admin($"terminals/{terminal}"), new { name = $"Till {terminal[^1]}" });
            }

            posSecret = (await admin.DataAsync(HttpMethod.Post, "/v2/admin/clients", new
            {
                clientId = posClientId,
                scopes = new[] { "pos_integration" },
                locations = new[] { new { posSystemId = PosSystem, posLocationId = store } },
            }, status: 201))["clientSecret"]!.GetValue<string>();

            // A POS ends sessions every way but conversion: cancelled (after a QR and an email), timed out, superseded.
            using var pos = await GatewayClient.SignInAsync(gateway, posClientId, posSecret, "pos_integration");
            async Task<string> Start(string terminal, int widgetId) =>
                (await pos.DataAsync(HttpMethod.Post, Pos("widget/start"), new { posLocationId = store, terminalId = terminal, widgetId }))["sessionId"]!.GetValue<string>();

            sessions["cancelled"] = await Start("till-1", rewards);
            var interaction = new { widgetId = rewards, sessionId = sessions["cancelled"], posLocationId = store, terminalId = "till-1", profile = new { firstName = "Ada", customerEmail = "ada@shop.test" } };
            await pos.DataAsync(HttpMethod.Post, Pos("widget/showQrCode"), interaction);
            var sent = await pos.DataAsync(HttpMethod.Post, Pos("widget/sendMessage"), interaction);
            Assert.Equal("sent", sent["messages"]![0]!["status"]!.GetValue<string>());
            await pos.DataAsync(HttpMethod.Post, Pos($"widget/sessions/{sessions["cancelled"]}/cancel"), new { });

            sessions["timedOut"] = await Start("till-2", quick);
            sessions["superseded"] = await Start("till-3", rewards);
            sessions["cancelled, after superseding"] = await Start("till-3", rewards);
            await pos.DataAsync(HttpMethod.Post, Pos($"widget/sessions/{sessions["cancelled, after superseding"]}/cancel"), new { });

            await Eventually.Holds(async () => (await pos.DataAsync(HttpMethod.Get, Pos($"widget/sessions/{sessions["timedOut"]}")))["state"]!.GetValue<string>() == "timedOut",
                TimeSpan.FromSeconds(20), "the quick session to time out");

            // Counters are batched; wait until they show every event before taking the picture.
            await Eventually.Holds(async () =>
                {
                    var widgets = (await admin.DataAsync(HttpMethod.Get, Admin("stats")))["widgets"]!.AsArray();
                    return Counter(widgets, rewards, "started") == 3 && Counter(widgets, rewards, "cancelled") == 2
                        && Counter(widgets, rewards, "qrShown") == 1 && Counter(widgets, rewards, "messagesSent") == 1
                        && Counter(widgets, quick, "started") == 1 && Counter(widgets, quick, "timedOut") == 1;
                },
                TimeSpan.FromSeconds(20), "the stats to count every session event");
            before = await Snapshot.TakeAsync(admin, pos, store, posClientId, sessions);
        }

        await cluster.DownAsync();
        Assert.True(Directory.Exists(Path.Combine(cluster.PostgresDirectory, "data")), "down (without --purge) must keep the PostgreSQL data");
        await cluster.UpAsync(silos: 2, gateways: 1);

        // The POS client signs in with the secret it was given before the restart.
        using (var admin = await GatewayClient.SignInAsync(gateway, ClusterTestSettings.AdminClientId, ClusterTestSettings.AdminClientSecret, "widgets_admin"))
        using (var pos = await GatewayClient.SignInAsync(gateway, posClientId, posSecret, "pos_integration"))
        {
            var after = await Snapshot.TakeAsync(admin, pos, store, posClientId, sessions);
            output.WriteLine($"after the restart: {after.Sessions}");
            Assert.Equal(before.Widgets, after.Widgets);
            Assert.Equal(before.Terminals, after.Terminals);
            Assert.Equal(before.Client, after.Client);
            Assert.Equal(before.Sessions, after.Sessions);
            Assert.Equal(before.Stats, after.Stats);
        }

        Assert.Single(smtp.To("ada@shop.test"));
    }

    private static object Widget(string name, string type, int timeoutSeconds) => new
    {
        name,
        type,
        timeoutSeconds,
        contexts = new[] { "checkout" },
        channels = new[] { "qr", "email" },
        content = new { headline = name, body = "Scan to join", emailSubject = name, emailBody = "Tap the link: {url}" },
    };

    private static long Counter(JsonArray widgets, int widgetId, string counter) =>
        widgets.FirstOrDefault(w => w!["widgetId"]!.GetValue<int>() == widgetId)?[counter]?.GetValue<long>() ?? 0;

    /// <summary>What the operator and POS APIs show, as JSON text so before and after compare whole.</summary>
    private sealed record Snapshot(string Widgets, string Terminals, string Client, string Sessions, string Stats)
    {
        public static async Task<Snapshot> TakeAsync(GatewayClient admin, GatewayClient pos, string store, string posClientId, IReadOnlyDictionary<string, string> sessions)
        {
            var location = $"/v2/admin/pos/{PosSystem}/locations/{store}";
            var widgets = await admin.DataAsync(HttpMethod.Get, $"{location}/widgets");
            var terminals = await admin.DataAsync(HttpMethod.Get, $"{location}/terminals");
            var client = (await admin.DataAsync(HttpMethod.Get, "/v2/admin/clients")).AsArray()
                .SingleOrDefault(c => c!["clientId"]!.GetValue<string>() == posClientId);
            Assert.True(client is not null, $"client {posClientId} is not listed");
            var stats = await admin.DataAsync(HttpMethod.Get, $"{location}/stats");

            // Sessions as their POS reads them, each in the state it ended in.
            var views = new JsonObject();
            foreach (var (expected, id) in sessions)
            {
                var view = await pos.DataAsync(HttpMethod.Get, $"/v2/pos/{PosSystem}/widget/sessions/{id}");
                Assert.Equal(expected.Split(',')[0], view["state"]!.GetValue<string>());
                Assert.NotNull(view["endedAt"]);
                views[expected] = view.DeepClone();
            }

            Assert.Equal(2, widgets.AsArray().Count);
            Assert.Equal(3, terminals.AsArray().Count);
            return new Snapshot(widgets.ToJsonString(), terminals.ToJsonString(), client!.ToJsonString(), views.ToJsonString(), stats["widgets"]!.ToJsonString());
        }
    }
}
