using System.Text.Json.Nodes;
using Widgets.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Widgets.Tests.Cluster;

/// <summary>
/// Cluster mode (<c>deploy/local-cluster.sh</c>: PostgreSQL, two silo processes, a gateway process): the silo that is
/// handing a text to Twilio dies by <c>kill -9</c> before Twilio answers.
/// </summary>
[Collection(ClusterFaultCollection.Name)]
public sealed class ClusterSendCrashTests(ITestOutputHelper output)
{
    private const string Pos = "/v2/pos/demo";

    [Fact]
    public async Task A_send_cut_off_by_killing_its_silo_is_reported_unknown_on_retry_and_never_sent_twice()
    {
        await using var smtp = new SmtpSink();
        await smtp.StartAsync(ClusterTestSettings.FreePort());
        await using var twilio = FakeTwilio.Start();
        var settings = new Dictionary<string, string>(ClusterTestSettings.Hosts(smtp.Port))
        {
            ["Sms__Twilio__AccountSid"] = FakeTwilio.AccountSid,
            ["Sms__Twilio__AuthToken"] = FakeTwilio.AuthToken,
            ["Sms__Twilio__From"] = FakeTwilio.From,
            ["Sms__Twilio__BaseUrl"] = twilio.BaseUrl,
            ["Messaging__QuietHoursStart"] = "00:00",
            ["Messaging__QuietHoursEnd"] = "00:00",
        };
        await using var cluster = ProcessCluster.Create(output, settings);
        cluster.KeepLogsIn = Path.Combine(ProcessCluster.RepositoryRoot, "tests", "Widgets.Tests", "bin", "cluster-logs", "send-crash");
        await cluster.UpAsync(silos: 2, gateways: 1);
        var gateway = cluster.Gateways[0];

        int widgetId;
        using (var admin = await GatewayClient.SignInAsync(gateway, ClusterTestSettings.AdminClientId, ClusterTestSettings.AdminClientSecret, "widgets_admin"))
        {
            var draft = GatewayLocation.Draft("Texted rewards", timeoutSeconds: 60);
            draft["channels"] = new JsonArray("qr", "sms");
            widgetId = (await admin.DataAsync(HttpMethod.Post, "/v2/admin/pos/demo/locations/store-1/widgets", draft, status: 201))["id"]!.GetValue<int>();
        }

        using var pos = await GatewayClient.SignInAsync(gateway, ClusterTestSettings.PosClientId, ClusterTestSettings.PosClientSecret, "pos_integration");
        var sessionId = (await pos.DataAsync(HttpMethod.Post, $"{Pos}/widget/start", new { posLocationId = "store-1", terminalId = "lane-1", widgetId }))["sessionId"]!.GetValue<string>();
        var host = await Eventually.Returns(
            () => Task.FromResult(new[] { "silo-1", "silo-2" }.FirstOrDefault(s => cluster.Log(s).Contains($"Session {sessionId} started", StringComparison.Ordinal))),
            s => s is not null, TimeSpan.FromSeconds(10), "the silo hosting the session to log its start");

        const string phone = "+14155550188";
        const string key = "cluster-send-1";
        var body = new
        {
            widgetId,
            sessionId,
            posLocationId = "store-1",
            terminalId = "lane-1",
            channel = "sms",
            profile = new { firstName = "Pat", lastName = "", customerEmail = "", customerPhone = phone, salesPerson = "Sam" },
        };
        twilio.HoldNext(1);
        var first = pos.SendAsync(HttpMethod.Post, $"{Pos}/widget/sendMessage", body, key);
        await Eventually.Holds(() => Task.FromResult(twilio.Received.Count == 1), TimeSpan.FromSeconds(15), "Twilio to have the text");
        output.WriteLine($"killing {host} (pid {cluster.Pid(host!)}), which is handing session {sessionId}'s text to Twilio");
        await cluster.KillAsync(host!);
        try
        {
            output.WriteLine($"the POS's first send: {await first}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            output.WriteLine($"the POS's first send got no answer: {ex.GetType().Name}");
        }

        // The POS retries the same request with the same key, as a 503 or no answer tells it to, until it is answered.
        var retry = await Eventually.Returns(async () =>
            {
                try
                {
                    return await pos.SendAsync(HttpMethod.Post, $"{Pos}/widget/sendMessage", body, key);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    return new GatewayReply(0, ex.Message, null);
                }
            },
            r => r.Status is not (0 or 503), TimeSpan.FromSeconds(60), "the retried send to be answered");
        Assert.True(retry.Status == 200, $"retry: {retry}");
        var message = retry.Data["messages"]!.AsArray().Single()!;
        Assert.Equal("unknown", message["status"]!.GetValue<string>());
        Assert.Equal(twilio.Received.Single().StatusCallback!.Split('/')[^1], message["messageId"]!.GetValue<string>());

        var view = await pos.DataAsync(HttpMethod.Get, $"{Pos}/widget/sessions/{sessionId}");
        Assert.Equal("unknown", view["messages"]!.AsArray().Single()!["status"]!.GetValue<string>());
        Assert.Single(twilio.To(phone));

        // The operator sees it as unknown, not as sent, in the widget's and the lane's counts.
        using var operatorClient = await GatewayClient.SignInAsync(gateway, ClusterTestSettings.AdminClientId, ClusterTestSettings.AdminClientSecret, "widgets_admin");
        var row = await Eventually.Returns(
            async () => (await operatorClient.DataAsync(HttpMethod.Get, "/v2/admin/pos/demo/locations/store-1/stats"))["widgets"]!.AsArray()
                .FirstOrDefault(w => w!["widgetId"]!.GetValue<int>() == widgetId),
            w => w?["messagesUnknown"]?.GetValue<long>() == 1, TimeSpan.FromSeconds(30), "the stats to count the unknown delivery");
        var lane = row!["terminals"]!.AsArray().Single(t => t!["terminalId"]!.GetValue<string>() == "lane-1")!;
        Assert.Equal((0L, 1L), (row["messagesSent"]!.GetValue<long>(), row["messagesUnknown"]!.GetValue<long>()));
        Assert.Equal((0L, 1L), (lane["messagesSent"]!.GetValue<long>(), lane["messagesUnknown"]!.GetValue<long>()));
    }
}
