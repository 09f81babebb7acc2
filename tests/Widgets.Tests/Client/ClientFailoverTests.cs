using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Widgets.Client;
using Widgets.Tests.Cluster;
using Widgets.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Widgets.Tests.Client;

/// <summary>
/// The client in front of a real process cluster (<c>deploy/local-cluster.sh</c>: PostgreSQL, two silos, a gateway):
/// POS lanes keep checking out through <see cref="IWidgetsClient"/> while a silo is killed with <c>kill -9</c>. The
/// gateway answers 503 with Retry-After while the cluster fails over; the client's retries absorb them, so the code
/// that calls the client never sees an exception.
/// </summary>
[Collection(ClusterFaultCollection.Name)]
public sealed partial class ClientFailoverTests(ITestOutputHelper output)
{
    private static readonly string[] Lanes = ["lane-1", "lane-2", "lane-3", "lane-4", "lane-5", "lane-6"];

    /// <summary>How long the lanes keep going after the kill: the failover (about 6 s here) and a good while after.</summary>
    private static readonly TimeSpan AfterKill = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Client_retries_hide_the_503s_of_a_killed_silo_from_the_lanes_that_call_it()
    {
        await using var smtp = new SmtpSink();
        await smtp.StartAsync(ClusterTestSettings.FreePort());
        await using var cluster = ProcessCluster.Create(output, ClusterTestSettings.Hosts(smtp.Port));
        cluster.KeepLogsIn = Path.Combine(ProcessCluster.RepositoryRoot, "tests", "Widgets.Tests", "bin", "cluster-logs", "client-failover");
        await cluster.UpAsync(silos: 2, gateways: 1);
        var gateway = cluster.Gateways[0];
        using (var admin = await GatewayClient.SignInAsync(gateway, ClusterTestSettings.AdminClientId, ClusterTestSettings.AdminClientSecret, "widgets_admin"))
        {
            foreach (var lane in Lanes)
            {
                await admin.DataAsync(HttpMethod.Put, $"/v2/admin/pos/demo/locations/store-1/terminals/{lane}", new { name = lane });
            }
        }

        using var pos = ClientUnderTest.For(gateway, ClusterTestSettings.PosClientId, ClusterTestSettings.PosClientSecret, "demo");
        var lanes = new LaneLoops(pos.Client, "store-1", Lanes);
        var started = DateTimeOffset.UtcNow;
        lanes.Start();
        DateTimeOffset killedAt;
        try
        {
            await Eventually.Holds(() => Task.FromResult(Lanes.All(l => lanes.Checkouts(l, started) >= 3)),
                TimeSpan.FromSeconds(60), "every lane to complete three checkouts before the kill");

            // The silo that started more sessions: the failover then has calls in flight to fail.
            var hosted = new[] { "silo-1", "silo-2" }.ToDictionary(s => s, s => SessionStart().Matches(cluster.Log(s)).Count);
            var victim = hosted.MaxBy(h => h.Value).Key;
            output.WriteLine($"sessions started per silo: {string.Join(", ", hosted.Select(h => $"{h.Key} {h.Value}"))}; killing {victim}");
            killedAt = DateTimeOffset.UtcNow;
            await cluster.KillAsync(victim);

            // The lanes' work after the kill is the subject; nothing waits on it.
            await Eventually.ClockPasses(killedAt + AfterKill);
        }
        finally
        {
            await lanes.StopAsync();
        }

        var attempts = pos.Wire.Exchanges;
        var calls = attempts.GroupBy(e => e.Request, ReferenceEqualityComparer.Instance).Select(g => g.ToList()).ToList();
        var retried = calls.Where(c => c.Count > 1).ToList();
        var unavailable = attempts.Where(e => e.Status == HttpStatusCode.ServiceUnavailable).ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"calls: {calls.Count}; attempts: {attempts.Count}; 503s: {unavailable.Count}; attempts without an answer: {attempts.Count(e => e.Status is null)}; calls retried: {retried.Count}, the longest {retried.Select(c => c.Count).DefaultIfEmpty(0).Max()} attempts; exceptions seen by the lanes: {lanes.Failures.Count}; checkouts after the kill: {Lanes.Sum(l => lanes.Checkouts(l, killedAt))}"));
        foreach (var call in retried.Take(10))
        {
            output.WriteLine("retried:\n  " + string.Join("\n  ", call));
        }

        Assert.True(lanes.Failures.Count == 0, "The lanes saw exceptions:\n" + string.Join("\n", lanes.Failures.Take(10)));
        Assert.True(unavailable.Count > 0, "No call met a 503: the kill did not reach a call in flight, so nothing was hidden.");
        Assert.All(calls, call => Assert.True(call[^1].Status is HttpStatusCode.OK or HttpStatusCode.NotModified, "A call ended without success:\n" + string.Join("\n", call)));
        Assert.All(retried.Where(c => c[0].IdempotencyKey is not null), call => Assert.Single(call.Select(a => a.IdempotencyKey).Distinct()));
        Assert.All(retried.SelectMany(c => c.Zip(c.Skip(1))).Where(pair => pair.First.RetryAfter is not null), pair =>
            Assert.True(pair.First.GapBefore(pair.Second) >= pair.First.RetryAfter - TimeSpan.FromMilliseconds(20), $"Retried too soon after:\n{pair.First}\n{pair.Second}"));
        Assert.All(Lanes, lane => Assert.True(lanes.Checkouts(lane, killedAt) > 0, $"{lane} completed no checkout after the kill"));
    }

    [GeneratedRegex(@"Session [0-9a-f]{32} started")]
    private static partial Regex SessionStart();

    /// <summary>
    /// One loop per lane doing a checkout through the client (list, start, show the QR, email the link, read the
    /// session) every half second; whatever the client throws is kept, and the lane goes on.
    /// </summary>
    private sealed class LaneLoops(IWidgetsClient client, string locationId, IReadOnlyList<string> lanes)
    {
        private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(500);
        private readonly ConcurrentDictionary<string, ConcurrentQueue<DateTimeOffset>> checkouts = new();
        private readonly ConcurrentQueue<string> failures = new();
        private readonly CancellationTokenSource stop = new();
        private Task running = Task.CompletedTask;

        public IReadOnlyList<string> Failures => failures.ToArray();

        public int Checkouts(string lane, DateTimeOffset since) =>
            checkouts.TryGetValue(lane, out var done) ? done.Count(at => at >= since) : 0;

        public void Start() => running = Task.WhenAll(lanes.Select(RunAsync));

        public async Task StopAsync()
        {
            await stop.CancelAsync();
            await running;
        }

        private async Task RunAsync(string lane)
        {
            await Task.Yield();
            using var pace = new PeriodicTimer(Pace);
            for (var checkout = 1; !stop.IsCancellationRequested; checkout++)
            {
                var began = DateTimeOffset.UtcNow;
                try
                {
                    await CheckoutAsync(lane, checkout);
                    checkouts.GetOrAdd(lane, _ => new()).Enqueue(began);
                }
                catch (Exception failure)
                {
                    failures.Enqueue($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {lane}: {failure.GetType().Name}: {failure.Message}");
                }

                try
                {
                    await pace.WaitForNextTickAsync(stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        private async Task CheckoutAsync(string lane, int checkout)
        {
            var listed = await client.ListWidgetsAsync(new ListWidgetsRequest { PosLocationId = locationId, TerminalId = lane, Context = WidgetContexts.Checkout });
            var emailable = listed.Widgets.Where(w => w.Channels.Contains(WidgetChannels.Email)).ToList();
            var widget = emailable[checkout % emailable.Count];
            var session = await client.StartSessionAsync(new StartSessionRequest { PosLocationId = locationId, TerminalId = lane, WidgetId = widget.Id });
            await client.ShowQrCodeAsync(new ShowQrCodeRequest { WidgetId = widget.Id, SessionId = session.SessionId, PosLocationId = locationId, TerminalId = lane });
            await client.SendMessageAsync(new SendMessageRequest
            {
                WidgetId = widget.Id,
                SessionId = session.SessionId,
                PosLocationId = locationId,
                TerminalId = lane,
                Channel = WidgetChannels.Email,
                Profile = new CustomerProfile { FirstName = "Pat", CustomerEmail = $"{lane}.{checkout}.{Guid.NewGuid().ToString("N")[..8]}@shop.test", SalesPerson = lane },
            });
            var read = await client.GetSessionAsync(session.SessionId);
            if (read.SessionId != session.SessionId)
            {
                throw new InvalidOperationException($"Asked for session {session.SessionId}, got {read.SessionId}.");
            }
        }
    }
}
