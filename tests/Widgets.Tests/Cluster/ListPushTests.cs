using System.Globalization;
using System.Text.Json.Nodes;
using Widgets.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Widgets.Tests.Cluster;

/// <summary>
/// widgets/list from memory in every gateway of a real cluster (PostgreSQL, two silos, two gateways): the location
/// pushes its lists to both, so a catalogue change made through one gateway, and a widget's schedule window opening
/// and closing, show on both within a second; every list served from memory still counts as listed.
/// </summary>
[Collection(ClusterFaultCollection.Name)]
public sealed class ListPushTests(ITestOutputHelper output)
{
    private const string Pos = "/v2/pos/demo";
    private const string Admin = "/v2/admin/pos/demo/locations/store-1";
    private const string Lane = "lane-push";
    private static readonly TimeSpan Push = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Both_gateways_list_a_catalogue_change_and_a_schedule_boundary_within_a_second_and_count_every_list()
    {
        await using var smtp = new SmtpSink();
        await smtp.StartAsync(ClusterTestSettings.FreePort());
        await using var cluster = ProcessCluster.Create(output, ClusterTestSettings.Hosts(smtp.Port));
        cluster.KeepLogsIn = Path.Combine(ProcessCluster.RepositoryRoot, "tests", "Widgets.Tests", "bin", "cluster-logs", "list-push");
        await cluster.UpAsync(silos: 2, gateways: 2);
        using var admin = await GatewayClient.SignInAsync(cluster.Gateways[0], ClusterTestSettings.AdminClientId, ClusterTestSettings.AdminClientSecret, "widgets_admin");
        using var otherAdmin = await GatewayClient.SignInAsync(cluster.Gateways[1], ClusterTestSettings.AdminClientId, ClusterTestSettings.AdminClientSecret, "widgets_admin");
        var lists = new ListCounter(await Task.WhenAll(cluster.Gateways.Select(g =>
            GatewayClient.SignInAsync(g, ClusterTestSettings.PosClientId, ClusterTestSettings.PosClientSecret, "pos_integration"))));
        await admin.DataAsync(HttpMethod.Put, $"{Admin}/terminals/{Lane}", new { name = Lane });
        await lists.ListAllAsync(); // both gateways now hold the location's lists

        // Created through one gateway, archived through the other.
        var created = await CreateAsync(admin, GatewayLocation.Draft("Pushed rewards"));
        await lists.WithinAsync(created.At, Push, w => w.Contains(created.Id), "the new widget listed");
        var archivedAt = DateTimeOffset.UtcNow;
        await otherAdmin.DataAsync(HttpMethod.Delete, $"{Admin}/widgets/{created.Id}");
        await lists.WithinAsync(archivedAt, Push, w => !w.Contains(created.Id), "the archived widget gone");

        // A window that opens and closes with no write at all.
        var opens = DateTimeOffset.UtcNow.AddSeconds(4);
        var closes = opens.AddSeconds(4);
        var draft = GatewayLocation.Draft("Weekend offer");
        draft["startsAt"] = opens.ToString("o", CultureInfo.InvariantCulture);
        draft["endsAt"] = closes.ToString("o", CultureInfo.InvariantCulture);
        var scheduled = await CreateAsync(admin, draft);
        Assert.All(await lists.ListAllAsync(), w => Assert.DoesNotContain(scheduled.Id, w));
        await Eventually.ClockPasses(opens);
        await lists.WithinAsync(opens, Push, w => w.Contains(scheduled.Id), "the scheduled widget listed once its window opened");
        await Eventually.ClockPasses(closes);
        await lists.WithinAsync(closes, Push, w => !w.Contains(scheduled.Id), "the scheduled widget gone once its window closed");

        // Every list that carried the first widget counted once, on whichever gateway served it.
        var expected = lists.Served(created.Id);
        output.WriteLine($"lists that carried widget {created.Id}: {expected}");
        await Eventually.Holds(async () => await ListedAsync(admin, created.Id) == expected, TimeSpan.FromSeconds(15),
            $"the stats to count {expected} lists of widget {created.Id}");
    }

    private static async Task<(int Id, DateTimeOffset At)> CreateAsync(GatewayClient admin, JsonObject draft)
    {
        var id = (await admin.DataAsync(HttpMethod.Post, $"{Admin}/widgets", draft, status: 201))["id"]!.GetValue<int>();
        return (id, DateTimeOffset.UtcNow);
    }

    private static async Task<long> ListedAsync(GatewayClient admin, int widgetId)
    {
        var row = (await admin.DataAsync(HttpMethod.Get, $"{Admin}/stats"))["widgets"]!.AsArray().FirstOrDefault(w => w!["widgetId"]!.GetValue<int>() == widgetId);
        return row?["listed"]?.GetValue<long>() ?? 0;
    }

    /// <summary>Lists on every gateway, remembering how many lists carried each widget.</summary>
    private sealed class ListCounter(IReadOnlyList<GatewayClient> gateways)
    {
        private readonly Dictionary<int, long> served = [];

        public long Served(int widgetId) => served.GetValueOrDefault(widgetId);

        public async Task<IReadOnlyList<IReadOnlyList<int>>> ListAllAsync()
        {
            var lists = new List<IReadOnlyList<int>>();
            foreach (var gateway in gateways)
            {
                var ids = (await gateway.DataAsync(HttpMethod.Post, $"{Pos}/widgets/list", new { posLocationId = "store-1", terminalId = Lane }))
                    .AsArray().Select(w => w!["id"]!.GetValue<int>()).ToList();
                foreach (var id in ids)
                {
                    served[id] = served.GetValueOrDefault(id) + 1;
                }

                lists.Add(ids);
            }

            return lists;
        }

        /// <summary>Lists until every gateway's list satisfies <paramref name="shows"/>; fails if that takes longer than <paramref name="within"/> after <paramref name="since"/>.</summary>
        public async Task WithinAsync(DateTimeOffset since, TimeSpan within, Func<IReadOnlyList<int>, bool> shows, string what)
        {
            var deadline = since + within;
            while (true)
            {
                var lists = await ListAllAsync();
                if (lists.All(shows))
                {
                    return;
                }

                Assert.True(DateTimeOffset.UtcNow < deadline, $"Not every gateway showed {what} within {within.TotalSeconds} s: {string.Join(" | ", lists.Select(l => string.Join(",", l)))}");
                await Task.Delay(20);
            }
        }
    }
}
