using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Http;

/// <summary>
/// Every documented error is RFC 9457 problem+json with its stable code, and a rejected request changes nothing.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ErrorTests(GatewayFixture gateway)
{
    private const string UnknownSessionId = "0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task Start_on_an_unregistered_terminal_is_404_terminal_not_found_and_registers_nothing()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();

        using var response = await location.Pos.PostJson(location.PosRoute("widget/start"), location.StartBody("lane-9", widgetId));

        await response.Problem(HttpStatusCode.NotFound, "terminal_not_found");
        using var terminal = await location.Admin.GetAsync(location.AdminRoute("terminals/lane-9"));
        await terminal.Problem(HttpStatusCode.NotFound, "terminal_not_found");
    }

    [Fact]
    public async Task Start_of_an_unknown_paused_or_archived_widget_is_404_widget_not_found_and_the_terminal_keeps_its_session()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        var paused = GatewayLocation.Draft("Paused");
        paused["status"] = "paused";
        var pausedId = (await location.CreateWidget(paused)).Int("id");
        var archivedId = await location.CreateWidgetId("Archived");
        using (var archive = await location.Admin.DeleteAsync(location.AdminRoute($"widgets/{archivedId}")))
        {
            await archive.Data();
        }

        var current = (await location.Start("lane-1", widgetId)).Text("sessionId");

        foreach (var id in new[] { 999, pausedId, archivedId })
        {
            using var response = await location.Pos.PostJson(location.PosRoute("widget/start"), location.StartBody("lane-1", id));
            await response.Problem(HttpStatusCode.NotFound, "widget_not_found");
        }

        Assert.Equal("active", await location.SessionState(current));
        Assert.Equal(current, (await location.Terminal("lane-1")).Text("activeSessionId"));
    }

    [Fact]
    public async Task Unknown_session_id_is_404_session_not_found_on_every_session_call()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();

        using var get = await location.Pos.GetAsync(location.PosRoute($"widget/sessions/{UnknownSessionId}"));
        await get.Problem(HttpStatusCode.NotFound, "session_not_found");
        using var malformed = await location.Pos.GetAsync(location.PosRoute("widget/sessions/not-a-session"));
        await malformed.Problem(HttpStatusCode.NotFound, "session_not_found");
        using var cancel = await location.Pos.PostAsync(location.PosRoute($"widget/sessions/{UnknownSessionId}/cancel"), null);
        await cancel.Problem(HttpStatusCode.NotFound, "session_not_found");
        using var show = await location.Pos.PostJson(location.PosRoute("widget/showQrCode"), location.InteractionBody(UnknownSessionId, widgetId, "lane-1"));
        await show.Problem(HttpStatusCode.NotFound, "session_not_found");
        using var send = await location.Pos.PostJson(location.PosRoute("widget/sendMessage"),
            location.InteractionBody(UnknownSessionId, widgetId, "lane-1", phone: "+16502530000"));
        await send.Problem(HttpStatusCode.NotFound, "session_not_found");
    }

    [Fact]
    public async Task Session_addressed_with_another_terminal_or_widget_is_404_session_not_found_and_untouched()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        var otherWidget = await location.CreateWidgetId("Other");
        var sessionId = (await location.Start("lane-1", widgetId)).Text("sessionId");
        var before = await location.Session(sessionId);

        using var wrongTerminal = await location.Pos.PostJson(location.PosRoute("widget/showQrCode"), location.InteractionBody(sessionId, widgetId, "lane-2"));
        await wrongTerminal.Problem(HttpStatusCode.NotFound, "session_not_found");
        using var wrongWidget = await location.Pos.PostJson(location.PosRoute("widget/showQrCode"), location.InteractionBody(sessionId, otherWidget, "lane-1"));
        await wrongWidget.Problem(HttpStatusCode.NotFound, "session_not_found");

        var after = await location.Session(sessionId);
        Assert.Equal(before.Text("lastInteractionAt"), after.Text("lastInteractionAt"));
        Assert.Equal(before.Text("expiresAt"), after.Text("expiresAt"));
    }

    [Fact]
    public async Task Another_tenants_location_is_404_location_not_found_and_nothing_of_it_changes()
    {
        var mine = await gateway.CreateLocationAsync();
        var theirs = await gateway.CreateLocationAsync();
        var theirWidget = await theirs.CreateWidgetId();
        var theirSession = (await theirs.Start("lane-1", theirWidget)).Text("sessionId");
        var before = await theirs.Session(theirSession);

        using var list = await mine.Pos.PostJson(mine.PosRoute("widgets/list"), new { posLocationId = theirs.LocationId });
        await list.Problem(HttpStatusCode.NotFound, "location_not_found");
        using var start = await mine.Pos.PostJson(mine.PosRoute("widget/start"), theirs.StartBody("lane-1", theirWidget));
        await start.Problem(HttpStatusCode.NotFound, "location_not_found");
        using var show = await mine.Pos.PostJson(mine.PosRoute("widget/showQrCode"), theirs.InteractionBody(theirSession, theirWidget, "lane-1"));
        await show.Problem(HttpStatusCode.NotFound, "location_not_found");
        using var get = await mine.Pos.GetAsync(mine.PosRoute($"widget/sessions/{theirSession}"));
        await get.Problem(HttpStatusCode.NotFound, "session_not_found");
        using var cancel = await mine.Pos.PostAsync(mine.PosRoute($"widget/sessions/{theirSession}/cancel"), null);
        await cancel.Problem(HttpStatusCode.NotFound, "session_not_found");

        var after = await theirs.Session(theirSession);
        Assert.Equal("active", after.Text("state"));
        Assert.Equal(before.Text("lastInteractionAt"), after.Text("lastInteractionAt"));
        Assert.Equal(theirSession, (await theirs.Terminal("lane-1")).Text("activeSessionId"));
    }

    [Fact]
    public async Task SendMessage_without_a_contact_is_400_recipient_required_and_sends_nothing()
    {
        var (location, widgetId, sessionId) = await StartedSession();

        using var response = await location.Pos.PostJson(location.PosRoute("widget/sendMessage"), location.InteractionBody(sessionId, widgetId, "lane-1"));

        await response.Problem(HttpStatusCode.BadRequest, "recipient_required");
        await AssertNoMessages(location, sessionId);
    }

    [Fact]
    public async Task SendMessage_with_an_invalid_phone_is_400_invalid_phone_and_sends_nothing_not_even_the_valid_email()
    {
        var (location, widgetId, sessionId) = await StartedSession();
        var email = $"kept.{Guid.NewGuid():N}@example.com";

        using var response = await location.Pos.PostJson(location.PosRoute("widget/sendMessage"),
            location.InteractionBody(sessionId, widgetId, "lane-1", email: email, phone: "12345"));

        await response.Problem(HttpStatusCode.BadRequest, "invalid_phone");
        await AssertNoMessages(location, sessionId);
        Assert.Empty(gateway.Smtp.To(email));
    }

    [Fact]
    public async Task SendMessage_with_an_invalid_email_is_400_invalid_email_and_sends_nothing()
    {
        var (location, widgetId, sessionId) = await StartedSession();

        using var response = await location.Pos.PostJson(location.PosRoute("widget/sendMessage"),
            location.InteractionBody(sessionId, widgetId, "lane-1", email: "ada-at-example.com"));

        await response.Problem(HttpStatusCode.BadRequest, "invalid_email");
        await AssertNoMessages(location, sessionId);
    }

    [Fact]
    public async Task Start_with_missing_fields_is_400_validation_failed_naming_each_field()
    {
        var location = await gateway.CreateLocationAsync();

        using var response = await location.Pos.PostJson(location.PosRoute("widget/start"), new { couponId = "C1" });

        await response.ValidationProblem("posLocationId", "terminalId", "widgetId");
        await AssertTerminalIdle(location, "lane-1");
    }

    [Theory]
    [InlineData("widgetId", "\"abc\"")]
    [InlineData("widgetId", "true")]
    [InlineData("widgetId", "1.5")]
    [InlineData("terminalId", "42")]
    [InlineData("posLocationId", "[\"store\"]")]
    [InlineData("couponId", "{}")]
    public async Task Start_with_a_field_of_the_wrong_type_is_400_validation_failed_naming_the_field(string field, string value)
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        var body = JsonNode.Parse(await GatewayJson.Body(location.StartBody("lane-1", widgetId)).ReadAsStringAsync())!.AsObject();
        body[field] = JsonNode.Parse(value);

        using var response = await location.Pos.PostAsync(location.PosRoute("widget/start"), GatewayJson.Raw(body.ToJsonString(), GatewayJson.JsonPatch));

        await response.ValidationProblem(field);
        await AssertTerminalIdle(location, "lane-1");
    }

    [Theory]
    [InlineData("{\"posLocationId\": \"store-1\", ")]
    [InlineData("not json at all")]
    [InlineData("{\"posLocationId\": \"store-1\",}")]
    [InlineData("[1, 2, 3]")]
    [InlineData("")]
    public async Task Start_with_a_body_that_is_not_a_json_object_is_400_invalid_json(string body)
    {
        var location = await gateway.CreateLocationAsync();

        using var response = await location.Pos.PostAsync(location.PosRoute("widget/start"), GatewayJson.Raw(body, GatewayJson.Json));

        await response.Problem(HttpStatusCode.BadRequest, "invalid_json");
        await AssertTerminalIdle(location, "lane-1");
    }

    [Fact]
    public async Task Text_plain_body_is_415_unsupported_media_type()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        var json = await GatewayJson.Body(location.StartBody("lane-1", widgetId)).ReadAsStringAsync();

        using var response = await location.Pos.PostAsync(location.PosRoute("widget/start"), GatewayJson.Raw(json, "text/plain"));

        await response.Problem(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        await AssertTerminalIdle(location, "lane-1");
    }

    [Fact]
    public async Task Body_over_64_KB_is_413_payload_too_large_with_or_without_a_content_length()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        var body = new { posLocationId = location.LocationId, terminalId = "lane-1", widgetId, couponId = (string?)null, padding = new string('x', 70 * 1024) };
        var json = await GatewayJson.Body(body).ReadAsStringAsync();

        using var sized = await location.Pos.PostAsync(location.PosRoute("widget/start"), GatewayJson.Raw(json, GatewayJson.Json));
        await sized.Problem(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");

        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        chunked.Headers.ContentType = new MediaTypeHeaderValue(GatewayJson.Json);
        using var request = new HttpRequestMessage(HttpMethod.Post, location.PosRoute("widget/start")) { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        using var streamed = await location.Pos.SendAsync(request);
        await streamed.Problem(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");

        await AssertTerminalIdle(location, "lane-1");
    }

    [Fact]
    public async Task Request_without_a_token_or_with_a_garbage_or_forged_token_is_401()
    {
        var location = await gateway.CreateLocationAsync();
        var list = new { posLocationId = location.LocationId };
        var anonymous = gateway.Anonymous();

        using var none = await anonymous.PostJson(location.PosRoute("widgets/list"), list);
        await none.Problem(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.NotEmpty(none.Headers.WwwAuthenticate);

        foreach (var token in new[] { "garbage", Forged() })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, location.PosRoute("widgets/list")) { Content = GatewayJson.Body(list) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await anonymous.SendAsync(request);
            await response.Problem(HttpStatusCode.Unauthorized, "unauthorized");
        }

        using var admin = await anonymous.GetAsync(location.AdminRoute("widgets"));
        await admin.Problem(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Pos_token_on_operator_endpoints_and_operator_token_on_pos_endpoints_are_403()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();

        using (var widgets = await location.Pos.GetAsync(location.AdminRoute("widgets")))
        {
            await widgets.Problem(HttpStatusCode.Forbidden, "insufficient_scope");
        }

        using (var create = await location.Pos.PostJson(location.AdminRoute("widgets"), GatewayLocation.Draft("Sneaky")))
        {
            await create.Problem(HttpStatusCode.Forbidden, "insufficient_scope");
        }

        using (var clients = await location.Pos.GetAsync("/v2/admin/clients"))
        {
            await clients.Problem(HttpStatusCode.Forbidden, "insufficient_scope");
        }

        using (var list = await location.Admin.PostJson(location.PosRoute("widgets/list"), new { posLocationId = location.LocationId }))
        {
            await list.Problem(HttpStatusCode.Forbidden, "insufficient_scope");
        }

        using (var start = await location.Admin.PostJson(location.PosRoute("widget/start"), location.StartBody("lane-1", widgetId)))
        {
            await start.Problem(HttpStatusCode.Forbidden, "insufficient_scope");
        }

        using var all = await location.Admin.GetAsync(location.AdminRoute("widgets"));
        Assert.Equal(["Join our rewards"], (await all.Data()).AsArray().Select(w => w.Text("name")));
        await AssertTerminalIdle(location, "lane-1");
    }

    [Fact]
    public async Task Put_widget_with_a_stale_If_Match_is_412_version_mismatch_and_leaves_the_widget_unchanged()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId("Original");
        var route = location.AdminRoute($"widgets/{widgetId}");
        using var read = await location.Admin.GetAsync(route);
        await read.Data();
        var stale = read.Headers.ETag!.ToString();
        using (var first = await location.Admin.PutJson(route, GatewayLocation.Draft("First edit"), ifMatch: stale))
        {
            await first.Data();
        }

        using var second = await location.Admin.PutJson(route, GatewayLocation.Draft("Lost update"), ifMatch: stale);

        await second.Problem(HttpStatusCode.PreconditionFailed, "version_mismatch");
        Assert.Equal("First edit", (await location.Widget(widgetId)).Text("name"));
    }

    [Fact]
    public async Task Invalid_widget_is_400_validation_failed_naming_each_field_and_adds_nothing()
    {
        var location = await gateway.CreateLocationAsync();
        var draft = GatewayLocation.Draft("", timeoutSeconds: 999);
        draft["icon"] = "not a url";

        using var response = await location.Admin.PostJson(location.AdminRoute("widgets"), draft);

        await response.ValidationProblem("name", "timeoutSeconds", "icon");
        using var all = await location.Admin.GetAsync(location.AdminRoute("widgets"));
        Assert.Empty((await all.Data()).AsArray());
    }

    [Fact]
    public async Task Unknown_widget_and_terminal_on_the_operator_surface_are_404()
    {
        var location = await gateway.CreateLocationAsync();

        using var widget = await location.Admin.GetAsync(location.AdminRoute("widgets/12345"));
        await widget.Problem(HttpStatusCode.NotFound, "widget_not_found");
        using var put = await location.Admin.PutJson(location.AdminRoute("widgets/12345"), GatewayLocation.Draft());
        await put.Problem(HttpStatusCode.NotFound, "widget_not_found");
        using var delete = await location.Admin.DeleteAsync(location.AdminRoute("widgets/12345"));
        await delete.Problem(HttpStatusCode.NotFound, "widget_not_found");
        using var terminal = await location.Admin.DeleteAsync(location.AdminRoute("terminals/lane-9"));
        await terminal.Problem(HttpStatusCode.NotFound, "terminal_not_found");
    }

    private async Task<(GatewayLocation Location, int WidgetId, string SessionId)> StartedSession()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        return (location, widgetId, (await location.Start("lane-1", widgetId)).Text("sessionId"));
    }

    private static async Task AssertNoMessages(GatewayLocation location, string sessionId)
    {
        var session = await location.Session(sessionId);
        Assert.Empty(session["messages"]?.AsArray() ?? []);
        Assert.Equal("active", session.Text("state"));
    }

    /// <summary>A terminal no session was started on: the operator API shows no active session for it.</summary>
    private static async Task AssertTerminalIdle(GatewayLocation location, string terminalId) =>
        Assert.Null((await location.Terminal(terminalId))["activeSessionId"]);

    /// <summary>A well-formed JWT with our issuer, audience and claims, signed with a key that is not the gateway's.</summary>
    private static string Forged()
    {
        static string B64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var unsigned = $"{B64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}")}.{B64($"{{\"iss\":\"widgets\",\"aud\":\"widgets\",\"sub\":\"demo-pos\",\"client_id\":\"demo-pos\",\"scope\":\"pos_integration widgets_admin\",\"iat\":{now},\"nbf\":{now},\"exp\":{now + 3600}}}")}";
        var signature = System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes("an attacker's key, not the gateway's key"), Encoding.ASCII.GetBytes(unsigned));
        return $"{unsigned}.{Convert.ToBase64String(signature).TrimEnd('=').Replace('+', '-').Replace('/', '_')}";
    }
}
