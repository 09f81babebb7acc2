using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Http;

/// <summary>The ClearLine-compatible POS surface and our session extensions, in the request shapes ClearLine documents.</summary>
[Collection(GatewayCollection.Name)]
public sealed partial class PosTests(GatewayFixture gateway)
{
    [Fact]
    public async Task List_returns_only_active_widgets_in_ClearLine_shape_with_our_extensions()
    {
        var location = await gateway.CreateLocationAsync();
        var rewards = Draft("Join our rewards", ["checkout", "idle"], timeoutSeconds: 45, sortOrder: 1);
        var survey = Draft("How did we do?", ["postPurchase"], timeoutSeconds: 30, sortOrder: 2);
        survey["channels"] = new JsonArray("qr", "email");
        var active = await location.CreateWidget(rewards);
        var second = await location.CreateWidget(survey);
        var paused = Draft("Paused offer", ["checkout"]);
        paused["status"] = "paused";
        await location.CreateWidget(paused);
        var archived = await location.CreateWidget(Draft("Archived offer", ["checkout"]));
        using (var archive = await location.Admin.DeleteAsync(location.AdminRoute($"widgets/{archived.Int("id")}")))
        {
            await archive.Data();
        }

        var future = Draft("Starts tomorrow", ["checkout"]);
        future["startsAt"] = DateTimeOffset.UtcNow.AddDays(1).ToString("o");
        await location.CreateWidget(future);
        var over = Draft("Ended yesterday", ["checkout"]);
        over["startsAt"] = DateTimeOffset.UtcNow.AddDays(-2).ToString("o");
        over["endsAt"] = DateTimeOffset.UtcNow.AddDays(-1).ToString("o");
        await location.CreateWidget(over);

        using var response = await location.Pos.PostJson(location.PosRoute("widgets/list"), new { posLocationId = location.LocationId });

        var widgets = (await response.Data()).AsArray();
        Assert.Equal([active.Int("id"), second.Int("id")], widgets.Select(w => w.Int("id")));
        var first = widgets[0];
        Assert.Equal(["channels", "contexts", "description", "icon", "id", "name", "timeoutSeconds", "type"], first.Keys());
        Assert.Equal("Join our rewards", first.Text("name"));
        Assert.Equal("https://cdn.shop.test/icons/rewards.png", first.Text("icon"));
        Assert.Equal("Earn a point for every dollar.", first.Text("description"));
        Assert.Equal("loyaltyEnrollment", first.Text("type"));
        Assert.Equal(["checkout", "idle"], first.Strings("contexts"));
        Assert.Equal(["qr", "sms", "email"], first.Strings("channels"));
        Assert.Equal(45, first.Int("timeoutSeconds"));
        Assert.Equal(["qr", "email"], widgets[1].Strings("channels"));
        Assert.Equal(30, widgets[1].Int("timeoutSeconds"));
    }

    [Fact]
    public async Task List_with_a_context_returns_only_the_widgets_configured_for_it()
    {
        var location = await gateway.CreateLocationAsync();
        var checkout = await location.CreateWidget(Draft("At checkout", ["checkout"]));
        var both = await location.CreateWidget(Draft("Checkout and idle", ["checkout", "idle"]));
        var after = await location.CreateWidget(Draft("After purchase", ["postPurchase"]));

        async Task<IEnumerable<int>> Listed(string context)
        {
            using var response = await location.Pos.PostJson(location.PosRoute("widgets/list"),
                new { posLocationId = location.LocationId, terminalId = "lane-1", context });
            return (await response.Data()).AsArray().Select(w => w.Int("id")).ToList();
        }

        Assert.Equal([checkout.Int("id"), both.Int("id")], await Listed("checkout"));
        Assert.Equal([both.Int("id")], await Listed("idle"));
        Assert.Equal([after.Int("id")], await Listed("postPurchase"));
    }

    [Fact]
    public async Task List_has_an_ETag_answers_304_to_If_None_Match_and_is_privately_cacheable_for_15_minutes()
    {
        var location = await gateway.CreateLocationAsync();
        await location.CreateWidgetId();
        var route = location.PosRoute("widgets/list");
        var body = new { posLocationId = location.LocationId };

        using var first = await location.Pos.PostJson(route, body);
        await first.Data();
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.True(first.Headers.CacheControl?.Private, $"Cache-Control: {first.Headers.CacheControl}");
        Assert.Equal(TimeSpan.FromSeconds(900), first.Headers.CacheControl?.MaxAge);

        using var unchanged = await location.Pos.SendAsync(WithIfNoneMatch(route, body, etag));
        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
        Assert.Empty(await unchanged.Content.ReadAsByteArrayAsync());

        await location.CreateWidgetId("A new offer");
        using var changed = await location.Pos.SendAsync(WithIfNoneMatch(route, body, etag));
        Assert.Equal(2, (await changed.Data()).AsArray().Count);
        Assert.NotEqual(etag, changed.Headers.ETag);
    }

    [Fact]
    public async Task Demo_seed_lists_one_widget_of_each_type_to_the_demo_pos_client()
    {
        var pos = await gateway.PosClient();

        using var response = await pos.PostJson("/v2/pos/demo/widgets/list", new { posLocationId = "store-1" });

        var widgets = (await response.Data()).AsArray();
        Assert.Equal(["contactCollection", "contestEntry", "couponDelivery", "loyaltyEnrollment", "promotionSignup", "survey"],
            widgets.Select(w => w.Text("type")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Start_accepts_a_string_widgetId_sent_as_json_patch_and_returns_the_session_and_preview_link()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId(timeoutSeconds: 40);
        var before = DateTimeOffset.UtcNow;

        using var response = await location.Pos.PostJson(location.PosRoute("widget/start"),
            location.StartBody("lane-1", widgetId.ToString(System.Globalization.CultureInfo.InvariantCulture)), GatewayJson.JsonPatch);

        var data = await response.Data();
        Assert.Matches(SessionIdPattern(), data.Text("sessionId"));
        var preview = data.Text("qrCodePreviewHtmlLinkUrl");
        Assert.StartsWith(new Uri(gateway.BaseAddress, "/s/").ToString(), preview);
        Assert.Equal(TimeSpan.Zero, data.Time("expiresAt").Offset);
        Assert.InRange(data.Time("expiresAt"), before.AddSeconds(40), DateTimeOffset.UtcNow.AddSeconds(40));
        Assert.Equal(40, data.Int("timeoutSeconds"));
        var statusUrl = new Uri(gateway.BaseAddress, $"/v2/pos/{location.PosSystemId}/widget/sessions/{data.Text("sessionId")}").ToString();
        Assert.Equal(statusUrl, data.Text("statusUrl"));
        using (var status = await location.Pos.GetAsync(statusUrl))
        {
            Assert.Equal("active", (await status.Data()).Text("state"));
        }

        using var page = await gateway.Anonymous().GetAsync(preview);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Start_accepts_a_numeric_widgetId_as_plain_json()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();

        using var response = await location.Pos.PostJson(location.PosRoute("widget/start"), location.StartBody("lane-1", widgetId));

        var sessionId = (await response.Data()).Text("sessionId");
        var session = await location.Session(sessionId);
        Assert.Equal(widgetId, session.Int("widgetId"));
        Assert.Equal("lane-1", session.Text("terminalId"));
    }

    [Fact]
    public async Task ShowQrCode_returns_the_qr_links_and_pushes_the_session_deadline_later()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        var started = await location.Start("lane-1", widgetId);
        var sessionId = started.Text("sessionId");

        // Times are answered to the millisecond: let one pass, so a later deadline can show.
        await Eventually.ClockPasses(DateTimeOffset.UtcNow.AddMilliseconds(2));
        using var response = await location.Pos.PostJson(location.PosRoute("widget/showQrCode"),
            location.InteractionBody(sessionId, widgetId, "lane-1"), GatewayJson.JsonPatch);

        var data = await response.Data();
        var screen = data.Text("qrCodeHtmlLinkUrl");
        Assert.StartsWith(new Uri(gateway.BaseAddress, "/s/").ToString(), screen);
        Assert.StartsWith(new Uri(gateway.BaseAddress, $"/w/{sessionId}.").ToString(), data.Text("landingUrl"));
        Assert.Equal($"{screen}/qr.png", data.Text("qrCodePngUrl"));
        Assert.Equal($"{screen}/qr.svg", data.Text("qrCodeSvgUrl"));
        Assert.True(data.Time("expiresAt") > started.Time("expiresAt"), $"{data.Text("expiresAt")} should be later than {started.Text("expiresAt")}");

        var session = await location.Session(sessionId);
        Assert.Equal(data.Time("expiresAt"), session.Time("expiresAt"));
        Assert.True(session.Time("lastInteractionAt") > session.Time("startedAt"));
    }

    [Fact]
    public async Task SendMessage_by_email_is_delivered_to_the_smtp_server_with_the_landing_link()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        var sessionId = (await location.Start("lane-1", widgetId)).Text("sessionId");
        var email = $"ada.{Guid.NewGuid():N}@example.com";

        using var response = await location.Pos.PostJson(location.PosRoute("widget/sendMessage"),
            location.InteractionBody(sessionId, widgetId, "lane-1", email: email), GatewayJson.JsonPatch);

        var message = Assert.Single((await response.Data())["messages"]!.AsArray());
        Assert.Equal("email", message.Text("channel"));
        Assert.Equal("a***@example.com", message.Text("to"));
        Assert.Equal("sent", message.Text("status"));
        Assert.Matches(SessionIdPattern(), message.Text("messageId"));

        var mail = await gateway.Smtp.WaitForMessageTo(email, GatewayFixture.Patience);
        Assert.Equal("Join our Rewards program", mail.Subject);
        var landing = new Uri(gateway.BaseAddress, $"/w/{sessionId}.").ToString();
        Assert.Contains(landing, mail.TextBody);
        Assert.Contains("Hi Ada", mail.TextBody);
    }

    [Fact]
    public async Task SendMessage_by_sms_lands_in_the_sms_outbox_with_the_landing_link()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        var sessionId = (await location.Start("lane-1", widgetId)).Text("sessionId");

        using var response = await location.Pos.PostJson(location.PosRoute("widget/sendMessage"),
            location.InteractionBody(sessionId, widgetId, "lane-1", phone: "(650) 253-0000"), GatewayJson.JsonPatch);

        var message = Assert.Single((await response.Data())["messages"]!.AsArray());
        Assert.Equal("sms", message.Text("channel"));
        Assert.Equal("sent", message.Text("status"));
        var to = message.Text("to");
        Assert.EndsWith("0000", to);
        Assert.DoesNotContain("6502530000", to);

        var landing = new Uri(gateway.BaseAddress, $"/w/{sessionId}.").ToString();
        var line = await Eventually.Returns(() => Task.FromResult(SmsLines().FirstOrDefault(l => l.Text("body").Contains(landing, StringComparison.Ordinal))),
            l => l is not null, GatewayFixture.Patience, $"an SMS with {landing} in {gateway.SmsOutboxFile}");
        Assert.Equal("+16502530000", line!.Text("to"));
        Assert.StartsWith("Hi Ada, join Rewards here: ", line.Text("body"));
    }

    [Fact]
    public async Task SendMessage_to_both_contacts_sends_one_message_per_channel()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        var sessionId = (await location.Start("lane-1", widgetId)).Text("sessionId");
        var email = $"grace.{Guid.NewGuid():N}@example.com";

        using var response = await location.Pos.PostJson(location.PosRoute("widget/sendMessage"),
            location.InteractionBody(sessionId, widgetId, "lane-1", email: email, phone: "+16502530001"));

        var messages = (await response.Data())["messages"]!.AsArray();
        Assert.Equal(["email", "sms"], messages.Select(m => m.Text("channel")).Order(StringComparer.Ordinal));
        Assert.All(messages, m => Assert.Equal("sent", m.Text("status")));
        await gateway.Smtp.WaitForMessageTo(email, GatewayFixture.Patience);
    }

    [Fact]
    public async Task Session_can_be_read_and_cancelled_and_then_refuses_interaction_with_409_session_ended()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        var sessionId = (await location.Start("lane-2", widgetId)).Text("sessionId");

        var session = await location.Session(sessionId);
        Assert.Equal(sessionId, session.Text("sessionId"));
        Assert.Equal(widgetId, session.Int("widgetId"));
        Assert.Equal("lane-2", session.Text("terminalId"));
        Assert.Equal("active", session.Text("state"));
        Assert.True(session.Time("expiresAt") > session.Time("startedAt"));
        Assert.Equal(session.Time("startedAt"), session.Time("lastInteractionAt"));
        Assert.Null(session["endedAt"]);

        using var cancel = await location.Pos.PostAsync(location.PosRoute($"widget/sessions/{sessionId}/cancel"), null);
        var cancelled = await cancel.Data();
        Assert.Equal("cancelled", cancelled.Text("state"));
        Assert.NotNull(cancelled["endedAt"]);
        Assert.False(string.IsNullOrEmpty(cancelled.Text("endReason")));

        Assert.Equal("cancelled", await location.SessionState(sessionId));
        using var show = await location.Pos.PostJson(location.PosRoute("widget/showQrCode"), location.InteractionBody(sessionId, widgetId, "lane-2"));
        await show.Problem(HttpStatusCode.Conflict, "session_ended");
        using var again = await location.Pos.PostAsync(location.PosRoute($"widget/sessions/{sessionId}/cancel"), null);
        await again.Problem(HttpStatusCode.Conflict, "session_ended");
    }

    [Fact]
    public async Task Starting_a_session_on_a_busy_terminal_supersedes_the_older_one_only()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        var older = (await location.Start("lane-1", widgetId)).Text("sessionId");
        var otherLane = (await location.Start("lane-2", widgetId)).Text("sessionId");

        var newer = (await location.Start("lane-1", widgetId)).Text("sessionId");

        Assert.NotEqual(older, newer);
        var superseded = await location.Session(older);
        Assert.Equal("superseded", superseded.Text("state"));
        Assert.NotNull(superseded["endedAt"]);
        Assert.Equal("active", await location.SessionState(newer));
        Assert.Equal("active", await location.SessionState(otherLane));
        using var show = await location.Pos.PostJson(location.PosRoute("widget/showQrCode"), location.InteractionBody(older, widgetId, "lane-1"));
        await show.Problem(HttpStatusCode.Conflict, "session_ended");
    }

    [Fact]
    public async Task Session_without_interaction_for_its_timeout_ends_timedOut_and_then_refuses_calls_with_409_session_ended()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId("Quick offer", timeoutSeconds: 2);
        var email = $"late.{Guid.NewGuid():N}@example.com";
        var sessionId = (await location.Start("lane-1", widgetId)).Text("sessionId");

        var ended = await Eventually.Returns(() => location.Session(sessionId), s => s.Text("state") != "active", GatewayFixture.Patience, "the session to end");

        Assert.Equal("timedOut", ended.Text("state"));
        Assert.True(ended.Time("endedAt") >= ended.Time("startedAt").AddSeconds(2), $"ended too early: {ended.ToJsonString()}");
        Assert.True(ended.Time("endedAt") >= ended.Time("expiresAt"), ended.ToJsonString());
        using var show = await location.Pos.PostJson(location.PosRoute("widget/showQrCode"), location.InteractionBody(sessionId, widgetId, "lane-1"));
        await show.Problem(HttpStatusCode.Conflict, "session_ended");
        using var send = await location.Pos.PostJson(location.PosRoute("widget/sendMessage"), location.InteractionBody(sessionId, widgetId, "lane-1", email: email));
        await send.Problem(HttpStatusCode.Conflict, "session_ended");
        Assert.Empty(gateway.Smtp.To(email));
    }

    [Fact]
    public async Task Pos_routes_match_the_pos_system_id_case_insensitively()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();

        using var response = await location.Pos.PostJson($"/V2/POS/{location.PosSystemId.ToUpperInvariant()}/Widgets/List", new { posLocationId = location.LocationId });

        Assert.Equal([widgetId], (await response.Data()).AsArray().Select(w => w.Int("id")));
    }

    private static JsonObject Draft(string name, string[] contexts, int timeoutSeconds = 45, int sortOrder = 0)
    {
        var draft = GatewayLocation.Draft(name, timeoutSeconds);
        draft["contexts"] = new JsonArray(contexts.Select(c => (JsonNode?)c).ToArray());
        draft["sortOrder"] = sortOrder;
        return draft;
    }

    private static HttpRequestMessage WithIfNoneMatch(string route, object body, EntityTagHeaderValue etag)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, route) { Content = GatewayJson.Body(body) };
        request.Headers.IfNoneMatch.Add(etag);
        return request;
    }

    private List<JsonNode> SmsLines()
    {
        if (!File.Exists(gateway.SmsOutboxFile))
        {
            return [];
        }

        using var stream = new FileStream(gateway.SmsOutboxFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonNode.Parse(l)!)
            .ToList();
    }

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex SessionIdPattern();
}
