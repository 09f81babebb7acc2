using System.Globalization;
using System.Text.Json.Nodes;
using Widgets.Grains.Sessions;
using Widgets.Sessions;
using Widgets.Tests.Infrastructure;
using Widgets.Tests.Trust;
using Xunit;
using Xunit.Abstractions;

namespace Widgets.Tests.Cluster;

/// <summary>
/// The embedded service as a store runs it (one gateway process, SQLite), stopped by <c>kill -9</c> at a bad moment
/// and started again on the same data: what it had acknowledged, counted and shown must be as it was, nobody gets a
/// text twice, and what fell due meanwhile ends at once.
/// </summary>
[Collection(ClusterFaultCollection.Name)]
public sealed class CrashTests(ITestOutputHelper output)
{
    private const string Pos = "/v2/pos/demo";
    private const string Admin = "/v2/admin/pos/demo/locations/store-1";

    [Fact]
    public async Task Sends_cut_off_by_kill_9_are_reported_unknown_on_retry_and_nobody_gets_a_text_twice()
    {
        await using var twilio = FakeTwilio.Start();
        await using var gateway = EmbeddedGatewayProcess.Create(TwilioSettings(twilio), output.WriteLine);
        await gateway.StartAsync();
        var lanes = Enumerable.Range(1, 8).Select(i => $"till-{i}").ToList();
        var widgetId = await SetUpAsync(gateway, lanes, timeoutSeconds: 60, "qr", "sms");
        var sends = new List<KeyedSend>();
        using (var pos = await PosClientAsync(gateway))
        {
            foreach (var (lane, i) in lanes.Select((l, i) => (l, i)))
            {
                var sessionId = (await pos.DataAsync(HttpMethod.Post, $"{Pos}/widget/start", new { posLocationId = "store-1", terminalId = lane, widgetId }))["sessionId"]!.GetValue<string>();
                sends.Add(new KeyedSend(sessionId, lane, widgetId, $"+1415555{i:0000}", $"send-{Guid.NewGuid():N}"));
            }

            // Twilio takes all eight and the process dies before it answers any: the customers have their texts, the
            // service never learnt it.
            twilio.HoldNext(sends.Count);
            var inFlight = sends.Select(s => Ignore(s.SendAsync(pos))).ToList();
            await Eventually.Holds(() => Task.FromResult(twilio.Received.Count == sends.Count), TimeSpan.FromSeconds(30), "Twilio to have all eight texts");
            await gateway.KillAsync();
            await Task.WhenAll(inFlight);
        }

        await gateway.StartAsync();
        using (var pos = await PosClientAsync(gateway))
        {
            foreach (var send in sends)
            {
                // The POS retries exactly as it sent (same key, same body).
                var reply = await send.SendAsync(pos);
                Assert.True(reply.Status == 200, $"retry of {send.Lane}: {reply}");
                var message = reply.Data["messages"]!.AsArray().Single()!;
                Assert.Equal("unknown", message["status"]!.GetValue<string>());
                Assert.Equal(CallbackMessageId(twilio, send.Phone), message["messageId"]!.GetValue<string>());
                var session = await pos.DataAsync(HttpMethod.Get, $"{Pos}/widget/sessions/{send.SessionId}");
                Assert.Equal("unknown", session["messages"]!.AsArray().Single()!["status"]!.GetValue<string>());
            }

            // Without the key, the session still knows that recipient: nothing goes out.
            var unkeyed = await (sends[0] with { Key = null }).SendAsync(pos);
            Assert.Equal("unknown", unkeyed.Data["messages"]!.AsArray().Single()!["status"]!.GetValue<string>());

            Assert.All(sends, s => Assert.Single(twilio.To(s.Phone)));
            Assert.Equal(sends.Count, twilio.Received.Count);
            Assert.Equal(sends.Count, twilio.Received.Select(r => r.StatusCallback).Distinct().Count());

            // The operator sees them too: unknown, not sent, per widget and per lane.
            using (var admin = await AdminClientAsync(gateway))
            {
                var unknown = await Eventually.Returns(() => DeliveriesAsync(admin, widgetId), d => d.Unknown == sends.Count, TimeSpan.FromSeconds(30),
                    "the stats to count the eight unknown deliveries");
                Assert.Equal((0L, (long)sends.Count), (unknown.Sent, unknown.Unknown));
                Assert.All(lanes, lane => Assert.Equal((0L, 1L), unknown.PerLane[lane]));
            }

            // Twilio's delivery report, which names the message in its URL, settles an unknown.
            var settled = sends[1];
            var messageId = CallbackMessageId(twilio, settled.Phone);
            Assert.Equal(204, await DeliveryReportAsync(gateway, settled.SessionId, messageId, "delivered"));
            var view = await pos.DataAsync(HttpMethod.Get, $"{Pos}/widget/sessions/{settled.SessionId}");
            Assert.Equal("delivered", view["messages"]!.AsArray().Single()!["status"]!.GetValue<string>());

            // ...and the operator's counts follow: one sent, seven unknown.
            using (var admin = await AdminClientAsync(gateway))
            {
                var afterReport = await Eventually.Returns(() => DeliveriesAsync(admin, widgetId), d => d.Sent == 1, TimeSpan.FromSeconds(30),
                    "the stats to count the delivered message as sent");
                Assert.Equal((1L, sends.Count - 1L), (afterReport.Sent, afterReport.Unknown));
                Assert.Equal((1L, 0L), afterReport.PerLane[settled.Lane]);
            }
        }
    }

    [Fact]
    public async Task Funnel_counts_equal_the_stored_sessions_after_kill_9()
    {
        await using var gateway = EmbeddedGatewayProcess.Create(BaseSettings(), output.WriteLine);
        await gateway.StartAsync();
        var lanes = Enumerable.Range(1, 6).Select(i => $"till-{i}").ToList();
        var widgetId = await SetUpAsync(gateway, lanes, timeoutSeconds: 3, "qr", "sms");
        using (var pos = await PosClientAsync(gateway))
        {
            // Every step of the funnel, the last of them moments before the process dies.
            await Task.WhenAll(lanes.Select(async (lane, i) =>
            {
                var first = await StartAsync(pos, lane, widgetId);
                await pos.DataAsync(HttpMethod.Post, $"{Pos}/widget/showQrCode", Interaction(first, lane, widgetId, phone: ""));
                if (i % 2 == 0)
                {
                    await pos.DataAsync(HttpMethod.Post, $"{Pos}/widget/sendMessage", Interaction(first, lane, widgetId, phone: $"+1415666{i:0000}"));
                }

                var second = await StartAsync(pos, lane, widgetId);
                if (i % 3 == 0)
                {
                    await pos.DataAsync(HttpMethod.Post, $"{Pos}/widget/showQrCode", Interaction(second, lane, widgetId, phone: ""));
                }

                if (i == 4)
                {
                    await pos.DataAsync(HttpMethod.Post, $"{Pos}/widget/sessions/{second}/cancel", new { });
                }
            }));
            await gateway.KillAsync();
        }

        await gateway.StartAsync();
        using var admin = await AdminClientAsync(gateway);
        var settled = await Eventually.Returns(async () =>
            {
                var sessions = (await StoredState.Sessions(gateway.DataDirectory)).Where(s => s.Widget.Id == widgetId).ToList();
                return (Stored: Funnel(sessions), Counted: await FunnelAsync(admin, widgetId), Ended: sessions.All(s => s.State != SessionState.Active));
            },
            r => r.Ended && r.Stored == r.Counted,
            TimeSpan.FromSeconds(30),
            "the stats to equal the stored sessions once every session ended");
        output.WriteLine($"the stored sessions and the stats both say: {settled.Stored}");
        Assert.StartsWith("12 started,", settled.Stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_terminal_still_shows_its_session_after_kill_9_and_the_next_start_supersedes_it()
    {
        await using var gateway = EmbeddedGatewayProcess.Create(BaseSettings(), output.WriteLine);
        await gateway.StartAsync();
        var widgetId = await SetUpAsync(gateway, ["till-1"], timeoutSeconds: 60, "qr");
        string first;
        using (var pos = await PosClientAsync(gateway))
        {
            first = await StartAsync(pos, "till-1", widgetId);
            await gateway.KillAsync();
        }

        await gateway.StartAsync();
        using (var admin = await AdminClientAsync(gateway))
        using (var pos = await PosClientAsync(gateway))
        {
            Assert.Equal(first, (await admin.DataAsync(HttpMethod.Get, $"{Admin}/terminals/till-1"))["activeSessionId"]?.GetValue<string>());
            Assert.Equal("active", (await pos.DataAsync(HttpMethod.Get, $"{Pos}/widget/sessions/{first}"))["state"]!.GetValue<string>());

            var second = await StartAsync(pos, "till-1", widgetId);
            await Eventually.Holds(async () => (await pos.DataAsync(HttpMethod.Get, $"{Pos}/widget/sessions/{first}"))["state"]!.GetValue<string>() == "superseded",
                TimeSpan.FromSeconds(10), "the session from before the crash to be superseded");
            Assert.Equal(second, (await admin.DataAsync(HttpMethod.Get, $"{Admin}/terminals/till-1"))["activeSessionId"]?.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_session_that_fell_due_while_the_process_was_down_ends_within_10_s_of_readiness()
    {
        // The production reminder period (1 minute): the reminder alone would end the session up to a minute late.
        await using var gateway = EmbeddedGatewayProcess.Create(BaseSettings(), output.WriteLine);
        await gateway.StartAsync();
        var widgetId = await SetUpAsync(gateway, ["till-1"], timeoutSeconds: 3, "qr");
        string sessionId;
        DateTimeOffset expiresAt;
        using (var pos = await PosClientAsync(gateway))
        {
            var started = await pos.DataAsync(HttpMethod.Post, $"{Pos}/widget/start", new { posLocationId = "store-1", terminalId = "till-1", widgetId });
            (sessionId, expiresAt) = (started["sessionId"]!.GetValue<string>(), started["expiresAt"]!.GetValue<DateTimeOffset>());
            await gateway.KillAsync();
        }

        Assert.True(DateTimeOffset.UtcNow < expiresAt, "the process must die before the deadline for the test to mean anything");
        await Eventually.ClockPasses(expiresAt + TimeSpan.FromSeconds(1));
        var restarting = DateTimeOffset.UtcNow;
        var ready = await gateway.StartAsync();

        // Watched through the stats, which read the session journal and call no session.
        using var admin = await AdminClientAsync(gateway);
        var bound = ready + TimeSpan.FromSeconds(10);
        await Eventually.Holds(async () => (await FunnelAsync(admin, widgetId)).EndsWith(" timedOut 1", StringComparison.Ordinal),
            bound - DateTimeOffset.UtcNow, "the overdue session to be counted as timed out");
        output.WriteLine($"counted as timed out {(DateTimeOffset.UtcNow - ready).TotalSeconds:0.0} s after the restarted gateway was ready");

        using var pos2 = await PosClientAsync(gateway);
        var view = await pos2.DataAsync(HttpMethod.Get, $"{Pos}/widget/sessions/{sessionId}");
        Assert.Equal("timedOut", view["state"]!.GetValue<string>());
        Assert.InRange(view["endedAt"]!.GetValue<DateTimeOffset>(), restarting, bound);
    }

    private static Dictionary<string, string> BaseSettings() => new()
    {
        ["Widgets:Sessions:MinTimeoutSeconds"] = "1",

        // Production's flush interval, said out loud: counters batched in memory would lose the last 5 s.
        ["Widgets:Sessions:StatsFlushInterval"] = "00:00:05",
    };

    private static Dictionary<string, string> TwilioSettings(FakeTwilio twilio) => new(BaseSettings())
    {
        ["Sms:Twilio:AccountSid"] = FakeTwilio.AccountSid,
        ["Sms:Twilio:AuthToken"] = FakeTwilio.AuthToken,
        ["Sms:Twilio:From"] = FakeTwilio.From,
        ["Sms:Twilio:BaseUrl"] = twilio.BaseUrl,
    };

    /// <summary>A widget at demo/store-1 offered on <paramref name="channels"/> and the lanes to run it on, as an operator sets them up.</summary>
    private static async Task<int> SetUpAsync(EmbeddedGatewayProcess gateway, IReadOnlyList<string> lanes, int timeoutSeconds, params string[] channels)
    {
        using var admin = await AdminClientAsync(gateway);
        foreach (var lane in lanes)
        {
            await admin.DataAsync(HttpMethod.Put, $"{Admin}/terminals/{lane}", new { name = lane });
        }

        var draft = GatewayLocation.Draft("Crash-tested rewards", timeoutSeconds);
        draft["channels"] = new JsonArray(channels.Select(c => (JsonNode)c!).ToArray());
        return (await admin.DataAsync(HttpMethod.Post, $"{Admin}/widgets", draft, status: 201))["id"]!.GetValue<int>();
    }

    private static Task<GatewayClient> PosClientAsync(EmbeddedGatewayProcess gateway) =>
        GatewayClient.SignInAsync(gateway.BaseAddress, EmbeddedGatewayProcess.PosClientId, EmbeddedGatewayProcess.PosClientSecret, "pos_integration");

    private static Task<GatewayClient> AdminClientAsync(EmbeddedGatewayProcess gateway) =>
        GatewayClient.SignInAsync(gateway.BaseAddress, EmbeddedGatewayProcess.AdminClientId, EmbeddedGatewayProcess.AdminClientSecret, "widgets_admin");

    private static async Task<string> StartAsync(GatewayClient pos, string lane, int widgetId) =>
        (await pos.DataAsync(HttpMethod.Post, $"{Pos}/widget/start", new { posLocationId = "store-1", terminalId = lane, widgetId }))["sessionId"]!.GetValue<string>();

    private static object Interaction(string sessionId, string lane, int widgetId, string phone) => new
    {
        widgetId,
        sessionId,
        posLocationId = "store-1",
        terminalId = lane,
        profile = new { firstName = "Pat", lastName = "", customerEmail = "", customerPhone = phone, salesPerson = lane },
    };

    /// <summary>The funnel of the stored sessions, as the stats name it.</summary>
    private static string Funnel(IReadOnlyList<SessionRecord> sessions) => Describe(
        sessions.Count,
        sessions.Count(s => s.QrShownAt is not null),
        sessions.Sum(s => s.Messages?.Count(m => m.Status is MessageStatus.Sent or MessageStatus.Delivered) ?? 0),
        sessions.Count(s => s.ScannedAt is not null),
        sessions.Count(s => s.ConvertedAt is not null),
        sessions.Count(s => s.State == SessionState.TimedOut),
        sessions.Count(s => s.State == SessionState.Cancelled));

    /// <summary>The widget's funnel as <c>GET …/stats</c> shows it.</summary>
    private static async Task<string> FunnelAsync(GatewayClient admin, int widgetId)
    {
        var widget = (await admin.DataAsync(HttpMethod.Get, $"{Admin}/stats"))["widgets"]!.AsArray().FirstOrDefault(w => w!["widgetId"]!.GetValue<int>() == widgetId);
        long Count(string name) => widget?[name]?.GetValue<long>() ?? 0;
        return Describe(Count("started"), Count("qrShown"), Count("messagesSent"), Count("scanned"), Count("converted"), Count("timedOut"), Count("cancelled"));
    }

    /// <summary>The widget's messagesSent and messagesUnknown as <c>GET …/stats</c> shows them, in total and per lane.</summary>
    private static async Task<(long Sent, long Unknown, Dictionary<string, (long Sent, long Unknown)> PerLane)> DeliveriesAsync(GatewayClient admin, int widgetId)
    {
        var widget = (await admin.DataAsync(HttpMethod.Get, $"{Admin}/stats"))["widgets"]!.AsArray().FirstOrDefault(w => w!["widgetId"]!.GetValue<int>() == widgetId);
        static (long Sent, long Unknown) Counts(JsonNode? row) =>
            (row?["messagesSent"]?.GetValue<long>() ?? 0, row?["messagesUnknown"]?.GetValue<long>() ?? 0);
        var lanes = (widget?["terminals"]?.AsArray() ?? []).ToDictionary(t => t!["terminalId"]!.GetValue<string>(), Counts);
        var (sent, unknown) = Counts(widget);
        return (sent, unknown, lanes);
    }

    private static string Describe(long started, long qrShown, long messagesSent, long scanned, long converted, long timedOut, long cancelled) =>
        $"{started} started, qrShown {qrShown} messagesSent {messagesSent} scanned {scanned} converted {converted} cancelled {cancelled} timedOut {timedOut}";

    /// <summary>The message id Twilio was told to report on (the status callback URL ends with it).</summary>
    private static string CallbackMessageId(FakeTwilio twilio, string phone) =>
        twilio.To(phone).Single().StatusCallback!.Split('/')[^1];

    /// <summary>Plays Twilio reporting a message's status (signed as Twilio signs).</summary>
    private static async Task<int> DeliveryReportAsync(EmbeddedGatewayProcess gateway, string sessionId, string messageId, string status)
    {
        var url = $"{gateway.BaseAddress.ToString().TrimEnd('/')}/webhooks/twilio/status/{sessionId}/{messageId}";
        var fields = new Dictionary<string, string> { ["MessageSid"] = "SM" + messageId, ["MessageStatus"] = status };
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Add("X-Twilio-Signature", FakeTwilio.Sign(url, fields));
        using var response = await http.SendAsync(request);
        return (int)response.StatusCode;
    }

    private static async Task Ignore(Task<GatewayReply> send)
    {
        try
        {
            await send;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            // The process died under it: the POS saw no answer.
        }
    }

    /// <summary>One keyed sendMessage a POS sends, and sends again exactly so when it got no answer.</summary>
    private sealed record KeyedSend(string SessionId, string Lane, int WidgetId, string Phone, string? Key)
    {
        public Task<GatewayReply> SendAsync(GatewayClient pos) => pos.SendAsync(HttpMethod.Post, $"{Pos}/widget/sendMessage", new
        {
            widgetId = WidgetId,
            sessionId = SessionId,
            posLocationId = "store-1",
            terminalId = Lane,
            channel = "sms",
            profile = new { firstName = "Pat", lastName = "", customerEmail = "", customerPhone = Phone, salesPerson = Lane },
        }, Key);
    }
}
