using System.Net;
using System.Text.Json.Nodes;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Trust;

/// <summary>
/// Point 2, idempotency: an <c>Idempotency-Key</c> on start, showQrCode and sendMessage makes a retry with the same
/// body replay the first answer (the same session, the same message, nothing sent twice); the same key with another
/// body is 422 <c>idempotency_key_reused</c>. Without a key, a repeated send to the same recipient in a session still
/// goes out once.
/// </summary>
[Collection(TrustCollection.Name)]
public sealed class IdempotencyTests(TrustFixture gateway)
{
    [Fact]
    public async Task Retried_start_with_the_same_key_returns_the_same_session_and_the_key_with_another_body_is_422()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        var key = Guid.NewGuid().ToString("N");

        using var first = await Start(location, key, location.StartBody("lane-1", widgetId));
        // A retry as a ClearLine client might send it: widgetId as a string, the json-patch content type.
        using var retry = await Start(location, key, location.StartBody("lane-1", widgetId.ToString(System.Globalization.CultureInfo.InvariantCulture)), GatewayJson.JsonPatch);
        using var reused = await StartResponse(location, key, location.StartBody("lane-2", widgetId));

        var sessionId = (await first.Data()).Text("sessionId");
        Assert.Equal(sessionId, (await retry.Data()).Text("sessionId"));
        await reused.Problem(HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
        Assert.Equal(sessionId, (await location.Terminal("lane-1")).Text("activeSessionId"));
        Assert.Null((await location.Terminal("lane-2"))["activeSessionId"]);
        Assert.Equal("active", await location.SessionState(sessionId));

        // Another key is another start: it supersedes the first session.
        using var other = await Start(location, Guid.NewGuid().ToString("N"), location.StartBody("lane-1", widgetId));
        Assert.NotEqual(sessionId, (await other.Data()).Text("sessionId"));
        Assert.Equal("superseded", await location.SessionState(sessionId));
    }

    [Fact]
    public async Task Retried_showQrCode_with_the_same_key_replays_without_touching_the_session_and_another_body_is_422()
    {
        var location = await gateway.CreateLocationAsync();
        var session = await location.StartSession();
        var key = Guid.NewGuid().ToString("N");

        using var first = await Post(location, "widget/showQrCode", key, session.Body());
        var shown = await first.Data();
        var afterFirst = await location.Session(session.SessionId);
        using var retry = await Post(location, "widget/showQrCode", key, session.Body());
        var replayed = await retry.Data();
        using var reused = await Post(location, "widget/showQrCode", key, session.Body(email: TrustSetup.Email()));

        Assert.Equal(shown.Text("expiresAt"), replayed.Text("expiresAt"));
        await reused.Problem(HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
        var afterRetries = await location.Session(session.SessionId);
        Assert.Equal(afterFirst.Text("lastInteractionAt"), afterRetries.Text("lastInteractionAt"));
        Assert.Equal(afterFirst.Text("expiresAt"), afterRetries.Text("expiresAt"));
    }

    [Fact]
    public async Task Twenty_concurrent_sendMessage_retries_with_one_key_send_one_email_and_all_answer_the_same_messageId()
    {
        var location = await gateway.CreateLocationAsync();
        var session = await location.StartSession();
        var email = TrustSetup.Email();
        var key = Guid.NewGuid().ToString("N");

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => session.Send(email: email, idempotencyKey: key)));

        var messageIds = new List<string>();
        foreach (var response in responses)
        {
            var message = Assert.Single((await response.Data())["messages"]!.AsArray())!;
            Assert.Equal("sent", message.Text("status"));
            messageIds.Add(message.Text("messageId"));
            response.Dispose();
        }

        Assert.Single(messageIds.Distinct());
        var mail = Assert.Single(gateway.Smtp.To(email));
        Assert.Equal($"{messageIds[0]}@widgets", mail.MessageId);
        Assert.Single(await session.Messages());
    }

    [Fact]
    public async Task SendMessage_key_reused_for_another_recipient_is_422_and_sends_nothing_to_it()
    {
        var location = await gateway.CreateLocationAsync();
        var session = await location.StartSession();
        var (email, other) = (TrustSetup.Email(), TrustSetup.Email("other"));
        var key = Guid.NewGuid().ToString("N");
        using (var first = await session.Send(email: email, idempotencyKey: key))
        {
            await first.Data();
        }

        using var reused = await session.Send(email: other, idempotencyKey: key);

        await reused.Problem(HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
        Assert.Empty(gateway.Smtp.To(other));
        Assert.Single(gateway.Smtp.To(email));
        Assert.Single(await session.Messages());
    }

    [Fact]
    public async Task Repeated_sendMessage_without_a_key_to_the_same_recipients_in_a_session_is_sent_once_per_channel()
    {
        var location = await gateway.CreateLocationAsync();
        var session = await location.StartSession();
        var (email, phone) = (TrustSetup.Email(), TrustSetup.Phone());

        var first = await Messages(session, email, phone);
        var second = await Messages(session, email, phone);

        Assert.Equal(first.Select(m => m.Text("messageId")).Order(StringComparer.Ordinal), second.Select(m => m.Text("messageId")).Order(StringComparer.Ordinal));
        Assert.Single(gateway.Smtp.To(email));
        Assert.Single(gateway.Twilio.To(phone));
        Assert.Equal(2, (await session.Messages()).Count);
    }

    [Theory]
    [InlineData("65 characters", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("empty", "")]
    [InlineData("a space", "retry 1")]
    [InlineData("a control character", "retry\u00011")]
    public async Task Malformed_Idempotency_Key_is_400_invalid_idempotency_key_and_does_nothing(string what, string key)
    {
        var location = await gateway.CreateLocationAsync();
        var session = await location.StartSession("lane-2");
        var email = TrustSetup.Email();

        using var start = await StartResponse(location, key, location.StartBody("lane-1", session.WidgetId));
        using var show = await Post(location, "widget/showQrCode", key, session.Body());
        using var send = await session.Send(email: email, idempotencyKey: key);

        await start.Problem(HttpStatusCode.BadRequest, "invalid_idempotency_key");
        await show.Problem(HttpStatusCode.BadRequest, "invalid_idempotency_key");
        await send.Problem(HttpStatusCode.BadRequest, "invalid_idempotency_key");
        Assert.True((await location.Terminal("lane-1"))["activeSessionId"] is null, $"A start with a key that is {what} started a session.");
        Assert.Empty(await session.Messages());
        Assert.Empty(gateway.Smtp.To(email));
    }

    [Fact]
    public async Task Two_Idempotency_Key_headers_are_400_invalid_idempotency_key()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        using var request = new HttpRequestMessage(HttpMethod.Post, location.PosRoute("widget/start")) { Content = GatewayJson.Body(location.StartBody("lane-1", widgetId)) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", ["one", "two"]);

        using var response = await location.Pos.SendAsync(request);

        await response.Problem(HttpStatusCode.BadRequest, "invalid_idempotency_key");
        Assert.Null((await location.Terminal("lane-1"))["activeSessionId"]);
    }

    private static async Task<List<JsonNode>> Messages(TrustSession session, string email, string phone)
    {
        using var response = await session.Send(email: email, phone: phone);
        var messages = (await response.Data())["messages"]!.AsArray().Select(m => m!).ToList();
        Assert.Equal(["email", "sms"], messages.Select(m => m.Text("channel")).Order(StringComparer.Ordinal));
        Assert.All(messages, m => Assert.Equal("sent", m.Text("status")));
        return messages;
    }

    private static async Task<HttpResponseMessage> Start(GatewayLocation location, string key, object body, string mediaType = GatewayJson.Json)
    {
        var response = await StartResponse(location, key, body, mediaType);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"start answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response;
    }

    private static Task<HttpResponseMessage> StartResponse(GatewayLocation location, string key, object body, string mediaType = GatewayJson.Json) =>
        Post(location, "widget/start", key, body, mediaType);

    private static Task<HttpResponseMessage> Post(GatewayLocation location, string path, string key, object body, string mediaType = GatewayJson.Json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, location.PosRoute(path)) { Content = GatewayJson.Body(body, mediaType) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return location.Pos.SendAsync(request);
    }
}
