using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Widgets.Tests.Deploy;
using Widgets.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Widgets.Tests.Cluster;

/// <summary>
/// The deployment across machines: PostgreSQL, three silos and two gateways, each a host of its own in a network
/// namespace on a bridge the test creates (<see cref="NetworkLab"/>), addressed only by 198.18.x.y. POS lanes check
/// out through both gateways, as behind a load balancer, while (a) a silo host's process is killed, (b) a silo is
/// cut off by a partition and then healed, (c) a gateway is cut off. The silos run under a supervisor that restarts
/// them as systemd's <c>Restart=always</c> or Kubernetes would.
/// </summary>
[Collection(ClusterFaultCollection.Name)]
public sealed class NamespaceClusterTests(ITestOutputHelper output)
{
    private static readonly string[] Lanes = [.. Enumerable.Range(1, 8).Select(i => $"lane-{i}")];

    /// <summary>The longest a lane may be unable to work in any phase.</summary>
    private static readonly TimeSpan ErrorWindowLimit = TimeSpan.FromSeconds(10);

    /// <summary>How long a POS (or the load balancer in front of the gateways) waits for an answer: above the gateways' 5 s response timeout.</summary>
    private static readonly TimeSpan PosTimeout = TimeSpan.FromSeconds(7);

    private static readonly TimeSpan FaultLasts = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan HostStart = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_cluster_spread_over_hosts_rides_out_a_killed_silo_a_partitioned_silo_and_a_cut_gateway_within_10_s_each_and_loses_nothing()
    {
        var logs = Path.Combine(ProcessCluster.RepositoryRoot, "tests", "Widgets.Tests", "bin", "cluster-logs", "namespaces");
        if (Directory.Exists(logs))
        {
            Directory.Delete(logs, recursive: true);
        }

        await using var lab = await NetworkLab.CreateAsync();
        output.WriteLine($"test network {lab.Network}, this process at {lab.HostAddress}");
        await using var smtp = new SmtpSink();
        await smtp.StartAsync(2525, lab.HostAddress);
        var (pgHost, pgAddress) = await lab.AddMachineAsync("pg");
        await using var postgres = await PostgresServer.StartAsync(pgHost, pgAddress);
        await using (var owner = new NpgsqlConnection(postgres.ConnectionString))
        {
            await owner.OpenAsync();
            await using var login = new NpgsqlCommand("CREATE ROLE widgets_app LOGIN IN ROLE widgets_runtime", owner);
            await login.ExecuteNonQueryAsync();
        }

        var clusterId = $"netns-{Guid.NewGuid():N}"[..16];
        var shared = new Dictionary<string, string>(ClusterTestSettings.Hosts(smtp.Port))
        {
            ["Email__Smtp__Host"] = lab.HostAddress.ToString(),
            ["Widgets__Mode"] = "Cluster",
            ["ConnectionStrings__Postgres"] = postgres.ConnectionStringFor("widgets", "widgets_app"),
            ["Orleans__ClusterId"] = clusterId,
            ["Auth__SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)),
            ["Urls"] = "http://0.0.0.0:8080",
            ["DOTNET_GCDynamicAdaptationMode"] = "1",

            // Links in responses name the public address, not whichever gateway answered.
            ["Widgets__PublicBaseUrl"] = "https://widgets.test",
            ["Logging__Console__TimestampFormat"] = "HH:mm:ss.fff ",
            ["Logging__LogLevel__Orleans.Runtime.MembershipService"] = "Information",
        };

        var silos = new List<Host>();
        var gateways = new List<Host>();
        try
        {
            foreach (var name in new[] { "silo-1", "silo-2", "silo-3" })
            {
                var (ns, address) = await lab.AddMachineAsync(name);
                silos.Add(new Host(name, ns, address, HostProcess.SiloDll, With(shared, name, ("Orleans__AdvertisedIP", address.ToString())), logs));
            }

            var (g1, g1Address) = await lab.AddMachineAsync("gateway-1");
            var (g2, g2Address) = await lab.AddMachineAsync("gateway-2");
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            await Task.WhenAll(silos.Select(s => s.WaitReadyAsync(http, HostStart)));

            // The first gateway seeds the demo data; the second finds it.
            gateways.Add(new Host("gateway-1", g1, g1Address, HostProcess.GatewayDll, With(shared, "gateway-1"), logs));
            await gateways[0].WaitReadyAsync(http, HostStart);
            gateways.Add(new Host("gateway-2", g2, g2Address, HostProcess.GatewayDll, With(shared, "gateway-2", ("Demo__Seed", "false")), logs));
            await gateways[1].WaitReadyAsync(http, HostStart);
            output.WriteLine($"hosts up: {string.Join(", ", silos.Concat(gateways).Select(h => $"{h.Name} {h.Address}"))}");

            using (var admin = await GatewayClient.SignInAsync(gateways[0].Url, ClusterTestSettings.AdminClientId, ClusterTestSettings.AdminClientSecret, "widgets_admin"))
            {
                foreach (var lane in Lanes)
                {
                    await admin.DataAsync(HttpMethod.Put, $"/v2/admin/pos/demo/locations/store-1/terminals/{lane}", new { name = lane });
                }
            }

            using var pos1 = await GatewayClient.SignInAsync(gateways[0].Url, ClusterTestSettings.PosClientId, ClusterTestSettings.PosClientSecret, "pos_integration", PosTimeout);
            using var pos2 = await GatewayClient.SignInAsync(gateways[1].Url, ClusterTestSettings.PosClientId, ClusterTestSettings.PosClientSecret, "pos_integration", PosTimeout);
            var traffic = new PosTraffic([pos1, pos2], "demo", "store-1", Lanes);
            var report = new StringBuilder()
                .AppendLine(CultureInfo.InvariantCulture, $"Namespace cluster ({lab.Network}): PostgreSQL, 3 silos, 2 gateways, each a host of its own; {Lanes.Length} lanes through both gateways, {DateTimeOffset.UtcNow:u}");
            var windows = new List<(string Phase, TimeSpan Window, string Lane)>();
            var startedAt = DateTimeOffset.UtcNow;
            traffic.Start();
            try
            {
                await Eventually.Holds(() => Task.FromResult(Lanes.All(l => traffic.CompletedCheckouts(l, startedAt) >= 2)), TimeSpan.FromSeconds(90),
                    "every lane to complete two checkouts before the faults");

                // (a) silo-1's host loses its process; the host stays down for the phase, then comes back.
                var a = DateTimeOffset.UtcNow;
                silos[0].HoldDown();
                await silos[0].Current.KillAsync();
                var unready = await WatchReadinessAsync(http, [.. gateways, silos[1], silos[2]], a + FaultLasts);
                silos[0].Release();
                await silos[0].WaitRestartedAndReadyAsync(http, HostStart);
                windows.Add(Phase("(a) silo-1 killed", traffic, a, report, $"other hosts' /readyz answers that were not 200 meanwhile: {unready}"));
                Assert.True(unready == 0, $"{unready} readiness answers of the surviving hosts were not 200 while silo-1 was down");

                // (b) silo-2 is cut off: no packet in or out, no reset. Then the link comes back.
                traffic.Rebalance();
                var b = DateTimeOffset.UtcNow;
                var cutGeneration = await GenerationAsync(postgres, clusterId, silos[1].Address);
                await lab.CutAsync(silos[1].Namespace);
                await Eventually.ClockPasses(b + FaultLasts);
                var statusDuringCut = await StatusAsync(postgres, clusterId, silos[1].Address, cutGeneration);
                await lab.HealAsync(silos[1].Namespace);
                await silos[1].WaitRestartedAndReadyAsync(http, HostStart);
                var rejoined = await GenerationAsync(postgres, clusterId, silos[1].Address);
                windows.Add(Phase("(b) silo-2 partitioned, then healed", traffic, b, report,
                    $"silo-2 generation {cutGeneration} was {Status(statusDuringCut)} in the membership table at the end of the cut; it rejoined as generation {rejoined}"));
                Assert.Equal(6, statusDuringCut); // SiloStatus.Dead
                Assert.True(rejoined > cutGeneration, $"silo-2 did not rejoin with a new generation ({rejoined} after {cutGeneration})");
                Assert.Contains("I have been told I am dead", silos[1].Log(), StringComparison.Ordinal);

                // (c) gateway-2 is cut off; its lanes' load balancer sends their requests to gateway-1.
                traffic.Rebalance();
                await Eventually.ClockPasses(DateTimeOffset.UtcNow.AddSeconds(2));
                var c = DateTimeOffset.UtcNow;
                await lab.CutAsync(gateways[1].Namespace);
                await Eventually.ClockPasses(c + FaultLasts);
                await lab.HealAsync(gateways[1].Namespace);
                await gateways[1].WaitReadyAsync(http, HostStart);
                windows.Add(Phase("(c) gateway-2 cut off, then healed", traffic, c, report, $"requests moved to the other gateway: {traffic.Failovers.Count}"));
                await Eventually.ClockPasses(DateTimeOffset.UtcNow.AddSeconds(3));
            }
            finally
            {
                await traffic.StopAsync();
            }

            var exchanges = traffic.Exchanges;
            var (sessionProblems, _) = await ProcessFailoverTests.CheckSessionsAsync(pos1, traffic);
            var disagreements = await CompareAcrossGatewaysAsync(pos1, pos2, traffic);
            var (messagesChecked, lost, duplicated, unacknowledged) = ProcessFailoverTests.CheckMessages(traffic, smtp);
            var census = gateways.Select(g => g.Log().Contains("Live gateways: 2", StringComparison.Ordinal)).ToList();
            report
                .AppendLine(CultureInfo.InvariantCulture, $"requests: {exchanges.Count}; 2xx: {exchanges.Count(e => e.Succeeded)}; 503 with Retry-After: {exchanges.Count(e => e.Status == 503 && e.RetryAfter is not null)}; no answer (moved to the other gateway): {traffic.Failovers.Count}; unexpected: {traffic.Unexpected.Count}")
                .AppendLine(CultureInfo.InvariantCulture, $"sessions checked: {traffic.Sessions.Count}; vanished or wrong: {sessionProblems.Count}; read differently through the two gateways: {disagreements.Count} {disagreements.FirstOrDefault()}")
                .AppendLine(CultureInfo.InvariantCulture, $"messages checked: {messagesChecked}; lost: {lost.Count}; duplicated: {duplicated.Count}; delivered without an acknowledgement: {unacknowledged}")
                .AppendLine(CultureInfo.InvariantCulture, $"gateways that counted 2 live gateways (per-client limit split): {census.Count(c => c)} of {census.Count}");
            output.WriteLine(report.ToString());
            foreach (var line in traffic.Unexpected.Take(20).Concat(traffic.Failovers.Take(10)))
            {
                output.WriteLine(line);
            }

            await File.WriteAllTextAsync(Path.Combine(ProcessCluster.RepositoryRoot, "tests", "Widgets.Tests", "bin", "namespace-cluster-report.txt"), report.ToString());

            Assert.True(traffic.Unexpected.Count == 0, $"A POS must only ever see 2xx or 503 with Retry-After:\n{string.Join("\n", traffic.Unexpected.Take(20))}");
            Assert.All(windows, w => Assert.True(w.Window <= ErrorWindowLimit, $"{w.Phase}: {w.Lane} could not work for {w.Window.TotalSeconds:0.0} s (limit {ErrorWindowLimit.TotalSeconds:0} s)"));
            Assert.True(sessionProblems.Count == 0, string.Join("\n", sessionProblems.Take(20)));
            Assert.True(disagreements.Count == 0, string.Join("\n", disagreements.Take(20)));
            Assert.True(messagesChecked > 0, "The traffic sent no message.");
            Assert.True(lost.Count == 0, $"Not acknowledged as sent, or acknowledged but never delivered: {string.Join(", ", lost)}");
            Assert.True(duplicated.Count == 0, $"Delivered more than once: {string.Join(", ", duplicated.Select(d => d.Recipient))}");
            Assert.All(census, counted => Assert.True(counted, "a gateway never learnt that two gateways serve the deployment"));
        }
        finally
        {
            foreach (var host in gateways.Concat(silos))
            {
                await host.DisposeAsync();
            }
        }
    }

    private (string, TimeSpan, string) Phase(string name, PosTraffic traffic, DateTimeOffset from, StringBuilder report, string detail)
    {
        var to = DateTimeOffset.UtcNow;
        var (window, lane, at) = traffic.LongestErrorWindow(from, to);
        var line = $"{name} at {from:HH:mm:ss.fff}: longest error window {window.TotalSeconds:0.0} s ({(lane.Length == 0 ? "no lane failed" : $"{lane}, from +{(at - from).TotalSeconds:0.0} s")}); {detail}";
        report.AppendLine(line);
        var perLane = Lanes.Select(l => (Lane: l, Window: LaneWindow(traffic, l, from, to)))
            .Where(l => l.Window > TimeSpan.Zero).Select(l => $"{l.Lane} {l.Window.TotalSeconds:0.0} s");
        report.AppendLine($"  lanes that failed: {string.Join(", ", perLane)}");
        if (lane.Length > 0)
        {
            // The worst lane's exchanges from its first failure: what it waited for, and where.
            report.AppendLine($"  {lane}: " + string.Join("; ", traffic.Exchanges.Where(e => e.Lane == lane && e.At >= at && e.At <= at + window)
                .OrderBy(e => e.At).Take(12)
                .Select(e => $"+{(e.At - from).TotalSeconds:0.0} s {e.Operation} via {e.Gateway} {e.Status?.ToString(CultureInfo.InvariantCulture) ?? "no answer"} in {e.Took.TotalSeconds:0.0} s")));
        }

        output.WriteLine(line);
        return (name, window, lane);
    }

    private static TimeSpan LaneWindow(PosTraffic traffic, string lane, DateTimeOffset from, DateTimeOffset to)
    {
        var worst = TimeSpan.Zero;
        DateTimeOffset? opened = null;
        foreach (var e in traffic.Exchanges.Where(e => e.Lane == lane && e.At >= from && e.At <= to).OrderBy(e => e.At))
        {
            if (!e.Succeeded)
            {
                opened ??= e.At;
            }
            else if (opened is { } o)
            {
                worst = e.At + e.Took - o > worst ? e.At + e.Took - o : worst;
                opened = null;
            }
        }

        return worst;
    }

    /// <summary>Polls the hosts' <c>/readyz</c> until <paramref name="until"/>; returns how many answers were not 200.</summary>
    private static async Task<int> WatchReadinessAsync(HttpClient http, IReadOnlyList<Host> hosts, DateTimeOffset until)
    {
        var unready = 0;
        while (DateTimeOffset.UtcNow < until)
        {
            foreach (var host in hosts)
            {
                unready += (await ProbeTests.GetAsync(http, host.Url, "/readyz")).Status == 200 ? 0 : 1;
            }

            await Eventually.ClockPasses(DateTimeOffset.UtcNow.AddMilliseconds(500));
        }

        return unready;
    }

    /// <summary>Every session read through each gateway: the same state and messages, so one activation answers both.</summary>
    private static async Task<List<string>> CompareAcrossGatewaysAsync(GatewayClient first, GatewayClient second, PosTraffic traffic)
    {
        var disagreements = new List<string>();
        foreach (var session in traffic.Sessions)
        {
            var path = $"/v2/pos/demo/widget/sessions/{session.SessionId}";
            var (one, two) = (await ReadAsync(first, path), await ReadAsync(second, path));
            if (one.Status != 200 || two.Status != 200 || one.Body != two.Body)
            {
                disagreements.Add($"session {session.SessionId}: {one} vs {two}");
            }
        }

        return disagreements;
    }

    /// <summary>A GET that does what a 429 or 503 asks (the per-client limit is shared by the two gateways).</summary>
    private static async Task<GatewayReply> ReadAsync(GatewayClient client, string path)
    {
        var reply = await client.GetAsync(path);
        for (var retries = 0; reply.Status is 429 or 503 && reply.RetryAfter is { } wait && retries < 10; retries++)
        {
            await Task.Delay(wait);
            reply = await client.GetAsync(path);
        }

        return reply;
    }

    private static async Task<int> GenerationAsync(PostgresServer postgres, string clusterId, IPAddress silo) =>
        await ScalarAsync(postgres, "SELECT max(Generation) FROM OrleansMembershipTable WHERE DeploymentId = @cluster AND Address = @address AND Status = 3",
            ("cluster", clusterId), ("address", silo.ToString()));

    private static async Task<int> StatusAsync(PostgresServer postgres, string clusterId, IPAddress silo, int generation) =>
        await ScalarAsync(postgres, "SELECT Status FROM OrleansMembershipTable WHERE DeploymentId = @cluster AND Address = @address AND Generation = @generation",
            ("cluster", clusterId), ("address", silo.ToString()), ("generation", generation));

    private static async Task<int> ScalarAsync(PostgresServer postgres, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteScalarAsync() is int found ? found : -1;
    }

    private static string Status(int status) => status switch
    {
        3 => "Active",
        4 => "ShuttingDown",
        5 => "Stopping",
        6 => "Dead",
        _ => $"status {status}",
    };

    private static Dictionary<string, string> With(IReadOnlyDictionary<string, string> shared, string name, params (string Key, string Value)[] more)
    {
        var all = new Dictionary<string, string>(shared)
        {
            ["Widgets__DataDirectory"] = Path.Combine(Path.GetTempPath(), "widgets-netns", name, Guid.NewGuid().ToString("N")[..8]),
        };
        foreach (var (key, value) in more)
        {
            all[key] = value;
        }

        return all;
    }

    /// <summary>
    /// One machine's service under a supervisor: when the process exits it is started again after
    /// <see cref="RestartPause"/> (systemd's <c>Restart=always</c> with its <c>RestartSec</c>), unless
    /// <see cref="HoldDown"/> keeps the host down until <see cref="Release"/>.
    /// </summary>
    private sealed class Host : IAsyncDisposable
    {
        private readonly Func<HostProcess> start;
        private readonly CancellationTokenSource stopping = new();
        private readonly Task supervising;
        private int starts = 1;
        private volatile TaskCompletionSource released = Open();

        public Host(string name, string ns, IPAddress address, string dll, IReadOnlyDictionary<string, string> environment, string logs)
        {
            Name = name;
            Namespace = ns;
            Address = address;
            Url = new Uri($"http://{address}:8080");
            start = () => HostProcess.Start(name, dll, environment, logs, ns);
            Current = start();
            supervising = Task.Run(SuperviseAsync);
        }

        public string Name { get; }

        public string Namespace { get; }

        public IPAddress Address { get; }

        public Uri Url { get; }

        public HostProcess Current { get; private set; }

        /// <summary>
        /// The supervisor's own pause before a restart, part of the behaviour under test (a restart is not instant),
        /// not a wait for anything; shorter than the units' <c>RestartSec=2</c> to keep the test's phases short.
        /// </summary>
        private static readonly TimeSpan RestartPause = TimeSpan.FromSeconds(1);

        /// <summary>Keeps the host down after its process exits, until <see cref="Release"/>.</summary>
        public void HoldDown() => released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => released.TrySetResult();

        private static TaskCompletionSource Open()
        {
            var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            open.SetResult();
            return open;
        }

        public string Log() => Current.Log();

        public Task WaitReadyAsync(HttpClient http, TimeSpan within) =>
            Eventually.Holds(async () => (await ProbeTests.GetAsync(http, Url, "/readyz")).Status == 200, within, $"{Name}'s /readyz");

        /// <summary>Waits for a new process (the supervisor's restart) that answers <c>/readyz</c>.</summary>
        public async Task WaitRestartedAndReadyAsync(HttpClient http, TimeSpan within)
        {
            var before = Volatile.Read(ref starts);
            await Eventually.Holds(async () => Volatile.Read(ref starts) > before && (await ProbeTests.GetAsync(http, Url, "/readyz")).Status == 200,
                within, $"{Name} to be restarted and ready");
        }

        public async ValueTask DisposeAsync()
        {
            await stopping.CancelAsync();
            await supervising;
            await Current.DisposeAsync();
        }

        private async Task SuperviseAsync()
        {
            while (!stopping.IsCancellationRequested)
            {
                try
                {
                    await Current.WaitForExitAsync(stopping.Token);
                    await released.Task.WaitAsync(stopping.Token);
                    await Task.Delay(RestartPause, stopping.Token);
                    await Current.DisposeAsync();
                    Current = start();
                    Interlocked.Increment(ref starts);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
