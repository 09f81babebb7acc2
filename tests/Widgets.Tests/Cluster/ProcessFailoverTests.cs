using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Widgets.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Widgets.Tests.Cluster;

/// <summary>
/// The real thing: <c>deploy/local-cluster.sh</c> runs PostgreSQL, two silo processes and a gateway process; POS lanes
/// keep checking out over HTTP while one silo is killed with <c>kill -9</c>.
/// </summary>
[Collection(ClusterFaultCollection.Name)]
public sealed partial class ProcessFailoverTests(ITestOutputHelper output)
{
    private static readonly string[] Lanes = ["lane-1", "lane-2", "lane-3", "lane-4", "lane-5", "lane-6"];

    /// <summary>How long the lanes keep going after the kill.</summary>
    private static readonly TimeSpan AfterKill = TimeSpan.FromSeconds(20);

    /// <summary>The longest a lane may be unable to work: failure detection (~3 s × 2 probes), then a retry after 2 s.</summary>
    private static readonly TimeSpan ErrorWindowLimit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Pos_lanes_see_only_retryable_503s_and_no_message_is_lost_or_sent_twice_when_a_silo_process_is_killed()
    {
        await using var smtp = new SmtpSink();
        await smtp.StartAsync(ClusterTestSettings.FreePort());
        await using var cluster = ProcessCluster.Create(output, ClusterTestSettings.Hosts(smtp.Port));
        cluster.KeepLogsIn = Path.Combine(ProcessCluster.RepositoryRoot, "tests", "Widgets.Tests", "bin", "cluster-logs", "failover");
        await cluster.UpAsync(silos: 2, gateways: 1);
        var gateway = cluster.Gateways[0];

        // More lanes than the demo's two, registered as an operator would.
        using (var admin = await GatewayClient.SignInAsync(gateway, ClusterTestSettings.AdminClientId, ClusterTestSettings.AdminClientSecret, "widgets_admin"))
        {
            foreach (var lane in Lanes)
            {
                await admin.DataAsync(HttpMethod.Put, $"/v2/admin/pos/demo/locations/store-1/terminals/{lane}", new { name = lane });
            }
        }

        using var pos = await GatewayClient.SignInAsync(gateway, ClusterTestSettings.PosClientId, ClusterTestSettings.PosClientSecret, "pos_integration");
        var traffic = new PosTraffic(pos, "demo", "store-1", Lanes);
        var trafficStarted = DateTimeOffset.UtcNow;
        traffic.Start();
        DateTimeOffset killedAt;
        string victim;
        try
        {
            await Eventually.Holds(() => Task.FromResult(Lanes.All(l => traffic.CompletedCheckouts(l, trafficStarted) >= 3)),
                TimeSpan.FromSeconds(60), "every lane to complete three checkouts before the kill");

            // Kill the silo that hosts more sessions (each logs "Session … started"): the failover then has work to do.
            var hosted = new[] { "silo-1", "silo-2" }.ToDictionary(s => s, s => SessionStart().Matches(cluster.Log(s)).Count);
            victim = hosted.MaxBy(h => h.Value).Key;
            output.WriteLine($"sessions started per silo before the kill: {string.Join(", ", hosted.Select(h => $"{h.Key} {h.Value}"))}; killing {victim} (pid {cluster.Pid(victim)})");
            killedAt = DateTimeOffset.UtcNow;
            await cluster.KillAsync(victim);

            // Traffic goes on for a while; its duration is the subject here, nothing waits on it.
            await Eventually.ClockPasses(killedAt + AfterKill);
        }
        finally
        {
            await traffic.StopAsync();
        }

        var stoppedAt = DateTimeOffset.UtcNow;
        var exchanges = traffic.Exchanges;
        // Ordered by when each was sent: the exchanges are recorded as they complete.
        var unavailable = exchanges.Where(e => e.Status == 503).OrderBy(e => e.At).ToList();
        var (window, windowLane, windowFrom) = traffic.LongestErrorWindow();
        var (sessionProblems, sessionBodies) = await CheckSessionsAsync(pos, traffic);
        var (messagesChecked, lost, duplicated, unacknowledged) = CheckMessages(traffic, smtp);
        var redelivered = smtp.Received.GroupBy(m => m.MessageId).Count(g => g.Count() > 1);

        var report = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Process-cluster failover (deploy/local-cluster.sh up --silos 2 --gateways 1), {DateTimeOffset.UtcNow:u}")
            .AppendLine(CultureInfo.InvariantCulture, $"lanes: {Lanes.Length}; traffic: {(stoppedAt - trafficStarted).TotalSeconds:0.0} s, {(stoppedAt - killedAt).TotalSeconds:0.0} s of it after kill -9 of {victim}")
            .AppendLine(CultureInfo.InvariantCulture, $"requests: {exchanges.Count}; 2xx: {exchanges.Count(e => e.Succeeded)}; 503 with Retry-After: {unavailable.Count(e => e.RetryAfter is not null)}; other: {exchanges.Count(e => !e.Succeeded && e.Status != 503)}; unexpected: {traffic.Unexpected.Count}")
            .AppendLine(CultureInfo.InvariantCulture, $"503s sent from {Relative(unavailable.FirstOrDefault()?.At, killedAt)} to {Relative(unavailable.LastOrDefault()?.At, killedAt)} after the kill, answered within {Max(unavailable):0.0} s; slowest 2xx: {Max(exchanges.Where(e => e.Succeeded)):0.0} s")
            .AppendLine(CultureInfo.InvariantCulture, $"longest error window (a lane unable to work): {window.TotalSeconds:0.0} s ({windowLane}, from {Relative(windowFrom, killedAt)} after the kill); limit {ErrorWindowLimit.TotalSeconds:0} s")
            .AppendLine(CultureInfo.InvariantCulture, $"sessions checked: {traffic.Sessions.Count}; vanished or wrong: {sessionProblems.Count}")
            .AppendLine(CultureInfo.InvariantCulture, $"messages checked: {messagesChecked} ({traffic.Messages.Count(m => m.Status == "unknown")} reported unknown); lost: {lost.Count}; duplicated (a second, different message): {duplicated.Count}; re-delivered with the same Message-ID: {redelivered}; delivered without an acknowledgement: {unacknowledged}")
            .AppendJoin("", duplicated.Select(d => $"duplicate: {Explain(d, traffic, sessionBodies, killedAt)}\n"))
            .ToString();
        output.WriteLine(report);
        foreach (var problem in traffic.Unexpected.Take(20))
        {
            output.WriteLine($"unexpected: {problem}");
        }

        await File.WriteAllTextAsync(Path.Combine(ProcessCluster.RepositoryRoot, "tests", "Widgets.Tests", "bin", "failover-report.txt"), report);

        Assert.True(traffic.Unexpected.Count == 0,
            $"A POS must only ever see 2xx or 503 with Retry-After; it saw:\n{string.Join("\n", traffic.Unexpected.Take(20))}\n{FailureLogs(cluster)}");
        Assert.True(window <= ErrorWindowLimit, $"Lane {windowLane} could not work for {window.TotalSeconds:0.0} s (limit {ErrorWindowLimit.TotalSeconds:0} s).");
        Assert.All(Lanes, lane => Assert.True(traffic.CompletedCheckouts(lane, killedAt + window) > 0,
            $"{lane} completed no checkout after the failover"));
        Assert.True(sessionProblems.Count == 0, string.Join("\n", sessionProblems.Take(20)));
        Assert.True(messagesChecked > 0, "The traffic sent no message.");
        Assert.True(lost.Count == 0, $"Neither sent nor reported unknown, or acknowledged as sent but never delivered: {string.Join(", ", lost)}");
        Assert.True(duplicated.Count == 0, $"Delivered more than once (see the report above): {string.Join(", ", duplicated.Select(d => d.Recipient))}");
        Assert.True(redelivered == 0, $"{redelivered} message(s) reached the SMTP server twice under one Message-ID: a retried send handed a message over again.");
    }

    /// <summary>
    /// Every session a lane started still exists, in a valid state, with the messages acknowledged for it; returns
    /// what is wrong, and each session as GET showed it.
    /// </summary>
    internal static async Task<(List<string> Problems, Dictionary<string, string> Bodies)> CheckSessionsAsync(GatewayClient pos, PosTraffic traffic)
    {
        var acknowledged = traffic.Messages.ToLookup(m => m.SessionId);
        var states = new[] { "active", "completed", "timedOut", "cancelled", "superseded" };
        var problems = new List<string>();
        var bodies = new Dictionary<string, string>();
        foreach (var session in traffic.Sessions)
        {
            var reply = await pos.GetAsync($"/v2/pos/demo/widget/sessions/{session.SessionId}");
            for (var retries = 0; reply.Status is 429 or 503 && reply.RetryAfter is { } wait && retries < 10; retries++)
            {
                // The client's own limit (or a late failover): do what Retry-After says.
                await Task.Delay(wait);
                reply = await pos.GetAsync($"/v2/pos/demo/widget/sessions/{session.SessionId}");
            }

            if (reply.Status != 200)
            {
                problems.Add($"session {session.SessionId} ({session.Lane}) vanished: GET answered {reply}");
                continue;
            }

            bodies[session.SessionId] = reply.Body;
            var data = reply.Data;
            var recorded = data["messages"]!.AsArray().Select(m => m!["messageId"]!.GetValue<string>()).ToHashSet();
            if (!states.Contains(data["state"]!.GetValue<string>()) || data["terminalId"]!.GetValue<string>() != session.Lane
                || data["widgetId"]!.GetValue<int>() != session.WidgetId || !acknowledged[session.SessionId].All(m => recorded.Contains(m.MessageId)))
            {
                problems.Add($"session {session.SessionId} started on {session.Lane} with widget {session.WidgetId}, messages {string.Join(", ", acknowledged[session.SessionId].Select(m => m.MessageId))} reads {reply.Body}");
            }
        }

        return (problems, bodies);
    }

    /// <summary>Matches what the gateway acknowledged against what reached the SMTP sink.</summary>
    internal static (int Checked, List<string> Lost, List<(string Recipient, List<string> MessageIds)> Duplicated, int Unacknowledged) CheckMessages(PosTraffic traffic, SmtpSink smtp)
    {
        var acknowledged = traffic.Messages;
        var received = smtp.Received;
        var byMessageId = received.GroupBy(m => m.MessageId ?? "").ToDictionary(g => g.Key, g => g.Count());
        // Acknowledged as sent but never delivered, or neither sent nor reported unknown. A send cut short by the kill
        // is reported unknown (delivered or not: the POS and the operator see it) and never handed over again.
        var lost = acknowledged.Where(m => m.Status switch
            {
                "sent" => byMessageId.GetValueOrDefault($"{m.MessageId}@widgets") == 0,
                "unknown" => false,
                _ => true,
            })
            .Select(m => $"{m.MessageId} to {m.Recipient} ({m.Status})").ToList();

        // Two different messages to one recipient would be a duplicate; one message twice is counted as re-delivered.
        var duplicated = received.GroupBy(m => m.To.Mailboxes.Single().Address, StringComparer.OrdinalIgnoreCase)
            .Where(g => g.Select(m => m.MessageId).Distinct().Count() > 1)
            .Select(g => (g.Key, g.Select(m => m.MessageId ?? "").ToList()))
            .ToList();
        var acknowledgedIds = acknowledged.Select(m => $"{m.MessageId}@widgets").ToHashSet();
        return (acknowledged.Count, lost, duplicated, received.Count(m => !acknowledgedIds.Contains(m.MessageId ?? "")));
    }

    /// <summary>A duplicate with its evidence: what the sink got, what the POS was told, what the session recorded.</summary>
    private static string Explain((string Recipient, List<string> MessageIds) duplicate, PosTraffic traffic, Dictionary<string, string> sessions, DateTimeOffset killedAt)
    {
        var acknowledged = traffic.Messages.Where(m => string.Equals(m.Recipient, duplicate.Recipient, StringComparison.OrdinalIgnoreCase)).ToList();
        var lane = traffic.Sessions.FirstOrDefault(s => acknowledged.Any(a => a.SessionId == s.SessionId))?.Lane;
        var sends = traffic.Exchanges.Where(e => e.Lane == lane && e.Operation == "sendMessage" && (e.At - killedAt).Duration() < TimeSpan.FromSeconds(15))
            .Select(e => $"{Relative(e.At, killedAt)}: {e.Status?.ToString(CultureInfo.InvariantCulture) ?? "no answer"} in {e.Took.TotalSeconds:0.0} s");
        return $"{duplicate.Recipient}: the SMTP sink got {duplicate.MessageIds.Count} messages ({string.Join(", ", duplicate.MessageIds)}); "
            + $"the POS was told {string.Join(", ", acknowledged.Select(a => $"{a.MessageId} ({a.Status}) for session {a.SessionId}"))}; "
            + $"{lane} sendMessage exchanges around the kill: {string.Join("; ", sends)}; "
            + $"the session reads: {string.Join(" ", acknowledged.Select(a => sessions.GetValueOrDefault(a.SessionId, "(not read)")))}";
    }

    private static double Max(IEnumerable<Exchange> exchanges) => exchanges.Select(e => e.Took.TotalSeconds).DefaultIfEmpty(0).Max();

    private static string Relative(DateTimeOffset? at, DateTimeOffset killedAt) =>
        at is { } t ? $"{(t - killedAt).TotalSeconds:+0.0;-0.0;0.0} s" : "(none)";

    /// <summary>The hosts' logged failures, for a failing assertion's message.</summary>
    private static string FailureLogs(ProcessCluster cluster) =>
        string.Join("\n", new[] { "gateway-1", "silo-1", "silo-2" }.Select(host =>
            $"--- {host} ---\n" + string.Join("\n", cluster.Log(host).Split('\n')
                .Where(line => line.StartsWith("fail:", StringComparison.Ordinal) || line.Contains("Exception", StringComparison.Ordinal))
                .Take(15))));

    [GeneratedRegex(@"Session [0-9a-f]{32} started")]
    private static partial Regex SessionStart();
}
