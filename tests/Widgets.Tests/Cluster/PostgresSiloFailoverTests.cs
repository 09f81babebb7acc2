using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.TestingHost;
using Widgets.Analytics;
using Widgets.Catalogue;
using Widgets.Hosting;
using Widgets.Keys;
using Widgets.Sessions;
using Widgets.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Widgets.Tests.Cluster;

/// <summary>
/// Three silos configured as in cluster mode (<c>AddWidgetsSilo</c> with grain storage and reminders on a real
/// PostgreSQL server the test starts), thirty sessions spread over them, and one silo killed without warning.
/// </summary>
[Collection(ClusterFaultCollection.Name)]
public sealed class PostgresSiloFailoverTests(ITestOutputHelper output)
{
    private const int TerminalsPerLocation = 10;

    /// <summary>Long enough for the sessions to be active at the kill and for the cluster to declare the silo dead first.</summary>
    private const int TimeoutSeconds = 20;

    /// <summary>How often a session's durable reminder re-checks its deadline here (production: 1 minute).</summary>
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromSeconds(5);

    /// <summary>A timeout fires by its deadline + one reminder period + this.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task Sessions_keep_their_state_and_still_time_out_when_one_of_three_silos_on_PostgreSQL_is_killed()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var dataDirectory = Directory.CreateTempSubdirectory("widgets-tests-failover-").FullName;
        var cluster = await DeployAsync(postgres.ConnectionString, dataDirectory);
        try
        {
            await KillASiloUnderSessionsAsync(cluster);
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private async Task KillASiloUnderSessionsAsync(TestCluster cluster)
    {
        var grains = cluster.GrainFactory;

        // The victim: a secondary silo (the primary holds the test cluster's membership).
        var victim = cluster.SecondarySilos[0];
        var shops = await OpenShopsAsync(grains, count: 3);
        var catalogues = new Dictionary<LocationKey, string>();
        foreach (var shop in shops)
        {
            catalogues[shop] = await CatalogueAsync(grains, shop);
        }

        // One session per terminal (a second one would supersede the first), alternating the two widgets.
        var sessions = new List<Probe>();
        foreach (var shop in shops)
        {
            var location = grains.GetGrain<ILocationGrain>(shop.ToString());
            var widgets = await location.GetWidgets();
            foreach (var (terminal, i) in (await location.GetTerminals()).Select((t, i) => (t.TerminalId, i)))
            {
                var widget = widgets[i % widgets.Count];
                var started = await grains.GetGrain<ITerminalGrain>(GrainKeys.Terminal(shop, terminal)).StartSession(widget.Id, null);
                Assert.True(started.IsSuccess, $"StartSession: {started.Error} {started.Detail}");
                sessions.Add(new Probe(started.Value!.SessionId, shop, terminal, widget.Id, started.Value.ExpiresAt));
            }
        }

        // Placement follows load, which is alike for silos sharing one process: it may pile sessions on one silo. Spread
        // them: a third of the sessions and a location move to the victim (grain migration carries their state).
        output.WriteLine($"placed by Orleans: {Placement(cluster, sessions.Select(s => Session(grains, s.SessionId)))} sessions, "
            + $"{Placement(cluster, shops.Select(s => grains.GetGrain<ILocationGrain>(s.ToString())))} locations");
        await MoveToAsync(cluster, victim, [grains.GetGrain<ILocationGrain>(shops[0].ToString())]);
        await MoveToAsync(cluster, victim, sessions.Take(sessions.Count / 3).Select(s => Session(grains, s.SessionId)).ToList());
        output.WriteLine($"spread: {Placement(cluster, sessions.Select(s => Session(grains, s.SessionId)))} sessions, "
            + $"{Placement(cluster, shops.Select(s => grains.GetGrain<ILocationGrain>(s.ToString())))} locations");
        var onVictim = sessions.Where(s => victim.SiloAddress.Equals(HostOf(cluster, Session(grains, s.SessionId)))).ToList();
        Assert.True(onVictim.Count >= 10, $"The silo to kill should host a third of the sessions; it hosts {onVictim.Count}.");

        // Before the kill: one session on the victim and one elsewhere are cancelled, one on the victim shows its QR
        // (an interaction: a later deadline). Half of the victim's others are never called again: only their
        // reminder can end them, which the stats show.
        var cancelled = new[] { onVictim[0], sessions.Except(onVictim).First() };
        foreach (var probe in cancelled)
        {
            var outcome = await Session(grains, probe.SessionId).Cancel(new SessionAddress(probe.Shop, probe.Terminal, probe.WidgetId));
            Assert.True(outcome.IsSuccess, $"Cancel: {outcome.Error} {outcome.Detail}");
            probe.Expected = SessionState.Cancelled;
        }

        var shown = await Session(grains, onVictim[1].SessionId).ShowQrCode(new Interaction(new SessionAddress(onVictim[1].Shop, onVictim[1].Terminal, onVictim[1].WidgetId), null, null));
        Assert.True(shown.IsSuccess, $"ShowQrCode: {shown.Error} {shown.Detail}");
        onVictim[1].ExpiresAt = shown.Value!.ExpiresAt;
        var untouched = onVictim.Skip(2).Where((_, i) => i % 2 == 0).ToList();
        var polled = sessions.Except(untouched).ToList();

        var killedAt = DateTimeOffset.UtcNow;
        var killing = Stopwatch.StartNew();
        await cluster.KillSiloAsync(victim);
        output.WriteLine($"killed secondary silo {victim.SiloAddress} in {killing.Elapsed.TotalSeconds:0.0} s, {(killedAt - sessions.Min(s => s.ExpiresAt) + TimeSpan.FromSeconds(TimeoutSeconds)).TotalSeconds:0.0} s after the first start; "
            + $"{onVictim.Count} sessions were on it ({untouched.Count} left untouched)");

        var declaredDead = WatchDeathDeclarationAsync(cluster, victim.SiloAddress, killedAt);
        var timedOutByReminder = WaitForTimeoutsInStatsAsync(grains, untouched);
        await Task.WhenAll(polled.Select(p => PollUntilEndedAsync(grains, p, killedAt)));
        await timedOutByReminder;
        output.WriteLine(await declaredDead);

        // Nothing called the untouched sessions, yet the stats counted each one's timeout: their reminder woke them on
        // a surviving silo (an ended session then frees its activation, so where it ran is not observable afterwards).
        foreach (var probe in untouched)
        {
            probe.EndedAt = (await Session(grains, probe.SessionId).GetView())!.EndedAt;
        }

        // Every session answers, with its own identity, and ended as it should, in time.
        Assert.All(polled, p => Assert.True(p.Problems.Count == 0, $"{p}: {string.Join("; ", p.Problems)}"));
        foreach (var probe in sessions)
        {
            var view = await Session(grains, probe.SessionId).GetView();
            Assert.NotNull(view);
            Assert.Equal((probe.Shop, probe.Terminal, probe.WidgetId), (view.Location, view.TerminalId, view.WidgetId));
            Assert.Equal(probe.Expected, view.State);
            if (probe.Expected == SessionState.TimedOut)
            {
                Assert.InRange(view.EndedAt!.Value, probe.ExpiresAt, probe.ExpiresAt + ReminderPeriod + Slack);
            }
        }

        var latest = polled.Where(p => p.Expected == SessionState.TimedOut).Max(p => p.EndedAt!.Value - p.ExpiresAt);
        var latestUntouched = untouched.Max(p => p.EndedAt!.Value - p.ExpiresAt);
        output.WriteLine($"latest timeout after its deadline: {latest.TotalSeconds:0.0} s (polled), {latestUntouched.TotalSeconds:0.0} s (untouched, ended by the reminder); "
            + $"longest a session did not answer after the kill: {polled.Max(p => p.Unanswered).TotalSeconds:0.0} s");

        // The catalogues (the victim hosted at least one location) are as they were.
        foreach (var shop in shops)
        {
            Assert.Equal(catalogues[shop], await CatalogueAsync(grains, shop));
        }
    }

    /// <summary>Locations of their own, each with a catalogue of two widgets and ten terminals.</summary>
    private static async Task<IReadOnlyList<LocationKey>> OpenShopsAsync(IGrainFactory grains, int count)
    {
        var shops = new List<LocationKey>();
        for (var i = 1; i <= count; i++)
        {
            var key = LocationKey.Create("failover", $"store-{i}-{Guid.NewGuid():N}"[..24]);
            var location = grains.GetGrain<ILocationGrain>(key.ToString());
            foreach (var draft in new[] { Draft("Rewards", WidgetType.LoyaltyEnrollment), Draft("10% off", WidgetType.CouponDelivery) })
            {
                var created = await location.CreateWidget(draft);
                Assert.True(created.IsSuccess, $"CreateWidget: {created.Error} {created.Detail}");
            }

            for (var t = 1; t <= TerminalsPerLocation; t++)
            {
                await location.PutTerminal($"lane-{t:00}", $"Lane {t}");
            }

            shops.Add(key);
        }

        return shops;
    }

    /// <summary>Migrates the grains' activations to <paramref name="silo"/> and waits until they live there.</summary>
    private static async Task MoveToAsync(TestCluster cluster, SiloHandle silo, IReadOnlyList<IAddressable> grains)
    {
        foreach (var grain in grains.Where(g => !silo.SiloAddress.Equals(HostOf(cluster, g))))
        {
            await cluster.MigrateAsync(grain, silo.SiloAddress);
        }

        await Eventually.Holds(() => Task.FromResult(grains.All(g => cluster.TryGetGrainContext(g.GetGrainId(), out var c) && silo.SiloAddress.Equals(c.Address.SiloAddress))),
            TimeSpan.FromSeconds(20), $"{grains.Count} grain(s) to move to {silo.SiloAddress}");
    }

    private static string Placement(TestCluster cluster, IEnumerable<IAddressable> grains)
    {
        var counts = grains.Select(g => HostOf(cluster, g)).GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
        return string.Join(" / ", cluster.Silos.Select(s => $"{counts.GetValueOrDefault(s.SiloAddress)}"));
    }

    /// <summary>Polls the session (which reactivates it where it can) until it reaches its end state or its bound passes.</summary>
    private async Task PollUntilEndedAsync(IGrainFactory grains, Probe probe, DateTimeOffset killedAt)
    {
        var session = Session(grains, probe.SessionId);
        var deadline = probe.Expected == SessionState.TimedOut
            ? probe.ExpiresAt + ReminderPeriod + Slack + TimeSpan.FromSeconds(5) // a call in flight may take a response timeout
            : killedAt + TimeSpan.FromSeconds(30);
        DateTimeOffset? answeredAt = null;
        string? lastError = null;
        while (DateTimeOffset.UtcNow < deadline)
        {
            var askedAt = DateTimeOffset.UtcNow;
            try
            {
                var view = await session.GetView();
                answeredAt ??= DateTimeOffset.UtcNow;
                if (view is null || (view.Location, view.TerminalId, view.WidgetId) != (probe.Shop, probe.Terminal, probe.WidgetId))
                {
                    probe.Problems.Add($"answered {(view is null ? "null" : $"{view.Location}/{view.TerminalId}/{view.WidgetId}")}");
                    return;
                }

                if (view.State == probe.Expected)
                {
                    probe.EndedAt = view.EndedAt;
                    probe.Unanswered = answeredAt.Value - killedAt;
                    return;
                }

                if (view.State != SessionState.Active || askedAt > probe.ExpiresAt + ReminderPeriod + Slack)
                {
                    probe.Problems.Add($"was {view.State} at {askedAt:HH:mm:ss.fff} (deadline {probe.ExpiresAt:HH:mm:ss.fff})");
                    return;
                }
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                // The silo holding it is dead and not yet declared so: the call fails; a client tries again.
                lastError = $"{ex.GetType().Name}: {ex.Message}";
            }

            await Task.Delay(PollInterval);
        }

        probe.Problems.Add($"did not reach {probe.Expected} by {deadline:HH:mm:ss.fff} (answered: {answeredAt?.ToString("HH:mm:ss.fff") ?? "never"}; last error: {lastError ?? "none"})");
    }

    /// <summary>
    /// Waits, without calling the sessions, for the stats to count each one's timeout: one session per terminal, so
    /// the terminal's timedOut counter is that session's.
    /// </summary>
    private async Task WaitForTimeoutsInStatsAsync(IGrainFactory grains, IReadOnlyList<Probe> untouched)
    {
        var bound = untouched.Max(p => p.ExpiresAt) + ReminderPeriod + Slack;
        await Eventually.Holds(async () =>
        {
            try
            {
                foreach (var probe in untouched)
                {
                    if (await CountAsync(grains, probe, WidgetCounter.TimedOut) != 1)
                    {
                        return false;
                    }
                }

                return true;
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                // The stats grain may have died with the silo; it comes back from storage once the silo is declared dead.
                return false;
            }
        }, bound - DateTimeOffset.UtcNow, $"the stats to count the timeouts of {untouched.Count} sessions nobody called after the kill");
    }

    private async Task<string> WatchDeathDeclarationAsync(TestCluster cluster, SiloAddress victim, DateTimeOffset killedAt)
    {
        var management = cluster.GrainFactory.GetGrain<IManagementGrain>(0);
        while (DateTimeOffset.UtcNow < killedAt + TimeSpan.FromSeconds(60))
        {
            try
            {
                if (!(await management.GetHosts(onlyActive: true)).ContainsKey(victim))
                {
                    return $"the cluster declared the killed silo dead {(DateTimeOffset.UtcNow - killedAt).TotalSeconds:0.0} s after the kill";
                }
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                // Asked a silo that is busy failing over; ask again.
            }

            await Task.Delay(PollInterval);
        }

        return "the killed silo was not declared dead within 60 s";
    }

    private static async Task<long> CountAsync(IGrainFactory grains, Probe probe, WidgetCounter counter)
    {
        long total = 0;
        var first = DateOnly.FromDateTime(probe.ExpiresAt.UtcDateTime.AddSeconds(-TimeoutSeconds));
        for (var day = first; day <= DateOnly.FromDateTime(DateTime.UtcNow); day = day.AddDays(1))
        {
            var rows = await grains.GetGrain<IWidgetStatsGrain>(GrainKeys.LocationDay(probe.Shop, day)).GetRows();
            total += rows.Where(r => r.WidgetId == probe.WidgetId && r.TerminalId == probe.Terminal).Sum(r => r.Counts[(int)counter]);
        }

        return total;
    }

    private static async Task<string> CatalogueAsync(IGrainFactory grains, LocationKey shop)
    {
        var location = grains.GetGrain<ILocationGrain>(shop.ToString());
        var terminals = (await location.GetTerminals()).Select(t => (t.TerminalId, t.Name, t.RegisteredAt));
        return JsonSerializer.Serialize(new { widgets = await location.GetWidgets(), terminals = terminals.Select(t => $"{t.TerminalId} {t.Name} {t.RegisteredAt:o}") });
    }

    private static WidgetDraft Draft(string name, WidgetType type) => new()
    {
        Name = name,
        Type = type,
        TimeoutSeconds = TimeoutSeconds,
        Channels = [WidgetChannel.Qr, WidgetChannel.Email],
        Content = new WidgetContent { Headline = name, Body = "Scan to join" },
        Settings = type == WidgetType.CouponDelivery ? new WidgetSettings { CouponPrefix = "FAIL" } : null,
    };

    private static IWidgetSessionGrain Session(IGrainFactory grains, string sessionId) => grains.GetGrain<IWidgetSessionGrain>(sessionId);

    private static SiloAddress HostOf(TestCluster cluster, IAddressable grain) =>
        cluster.TryGetGrainContext(grain.GetGrainId(), out var context) && context.Address.SiloAddress is { } silo
            ? silo
            : throw new InvalidOperationException($"{grain.GetGrainId()} is not active on any silo.");

    private static async Task<TestCluster> DeployAsync(string connectionString, string dataDirectory)
    {
        var builder = new TestClusterBuilder(3);

        // Properties become configuration of every silo (and the client): ISiloBuilder.Configuration reads them.
        builder.Properties["Widgets:Mode"] = nameof(HostingMode.Cluster);
        builder.Properties["ConnectionStrings:Postgres"] = connectionString;
        builder.Properties["Widgets:DataDirectory"] = dataDirectory;
        builder.Properties["Widgets:Sessions:MinTimeoutSeconds"] = "1";
        builder.Properties["Widgets:Sessions:ReminderPeriod"] = ReminderPeriod.ToString("c");
        builder.Properties["Widgets:Sessions:StatsFlushInterval"] = "00:00:01";
        builder.AddSiloBuilderConfigurator<ClusterModeSilo>();
        builder.AddClientBuilderConfigurator<GatewayLikeClient>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>
    /// The production silo configuration of cluster mode, except membership, which the test cluster brings (its
    /// failure detection is timed as <c>UseWidgetsClustering</c> times it).
    /// </summary>
    private sealed class ClusterModeSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddWidgetsSilo(siloBuilder.Configuration);
            siloBuilder.Configure<ClusterMembershipOptions>(SiloConfiguration.TuneFailureDetection);
        }
    }

    /// <summary>The test's client waits for a grain as long as a gateway does (<c>Orleans:ResponseTimeout</c>).</summary>
    private sealed class GatewayLikeClient : IClientBuilderConfigurator
    {
        public void Configure(Microsoft.Extensions.Configuration.IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = new ClusterSettings().ResponseTimeout);
    }

    /// <summary>One session the test follows: where it lived, when it should end and how.</summary>
    private sealed class Probe(string sessionId, LocationKey shop, string terminal, int widgetId, DateTimeOffset expiresAt)
    {
        public string SessionId { get; } = sessionId;

        public LocationKey Shop { get; } = shop;

        public string Terminal { get; } = terminal;

        public int WidgetId { get; } = widgetId;

        public DateTimeOffset ExpiresAt { get; set; } = expiresAt;

        public SessionState Expected { get; set; } = SessionState.TimedOut;

        public DateTimeOffset? EndedAt { get; set; }

        public TimeSpan Unanswered { get; set; }

        public ConcurrentBag<string> Problems { get; } = [];

        public override string ToString() => $"session {SessionId} ({Shop}/{Terminal}, widget {WidgetId}, expected {Expected})";
    }
}
