using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Widgets.Tests.Customer;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Trust;

/// <summary>
/// Point 4, request size: JSON bodies over 64 KB, form posts over 16 KB and anything over 1 MB are refused with 413
/// (announced by Content-Length or streamed chunked), before anything is stored or sent.
/// </summary>
[Collection(TrustCollection.Name)]
public sealed class BodyLimitTests(TrustFixture gateway)
{
    private const int OverJsonLimit = (64 * 1024) + 1;
    private const int OverFormLimit = (16 * 1024) + 1;
    private const int OverAnyLimit = (1024 * 1024) + 1;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Json_body_over_64_KB_is_413_on_pos_and_operator_writes_and_stores_or_sends_nothing(bool chunked)
    {
        var location = await gateway.CreateLocationAsync();
        var session = await location.StartSession();
        var email = TrustSetup.Email();
        var send = JsonSerializer.SerializeToNode(session.Body(email: email), JsonSerializerOptions.Web)!;
        send["profile"]!["firstName"] = new string('a', OverJsonLimit);
        var widget = GatewayLocation.Draft("Too big");
        widget["description"] = new string('a', OverJsonLimit);
        var clientId = $"big-{Guid.NewGuid():N}";
        var requests = new (HttpClient Client, HttpMethod Method, string Url, JsonNode Body)[]
        {
            (location.Pos, HttpMethod.Post, location.PosRoute("widget/sendMessage"), send),
            (location.Admin, HttpMethod.Post, location.AdminRoute("widgets"), widget),
            (location.Admin, HttpMethod.Put, location.AdminRoute("terminals/lane-7"), new JsonObject { ["name"] = new string('a', OverJsonLimit) }),
            (location.Admin, HttpMethod.Post, "/v2/admin/clients", new JsonObject
            {
                ["clientId"] = clientId, ["scopes"] = new JsonArray("pos_integration"),
                ["locations"] = new JsonArray(new JsonObject { ["posSystemId"] = "pax", ["posLocationId"] = new string('a', OverJsonLimit) }),
            }),
        };

        foreach (var (client, method, url, body) in requests)
        {
            using var request = new HttpRequestMessage(method, url) { Content = GatewayJson.Raw(body.ToJsonString(), GatewayJson.Json) };
            request.Headers.TransferEncodingChunked = chunked;
            using var response = await client.SendAsync(request);
            await response.Problem(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        }

        Assert.Empty(await session.Messages());
        Assert.Empty(gateway.Smtp.To(email));
        using (var widgets = await location.Admin.GetAsync(location.AdminRoute("widgets")))
        {
            Assert.Equal([session.WidgetId], (await widgets.Data()).AsArray().Select(w => w.Int("id")));
        }

        using (var terminal = await location.Admin.GetAsync(location.AdminRoute("terminals/lane-7")))
        {
            await terminal.Problem(HttpStatusCode.NotFound, "terminal_not_found");
        }

        using var clients = await location.Admin.GetAsync("/v2/admin/clients");
        Assert.DoesNotContain(clientId, (await clients.Data()).AsArray().Select(c => c.Text("clientId")));
    }

    [Fact]
    public async Task Landing_form_over_16_KB_is_413_and_converts_nothing()
    {
        var location = await gateway.CreateLocationAsync();
        var shown = await location.ShowQrCode(await location.CreateWidgetId());
        var phone = gateway.Anonymous();
        using var page = await phone.GetAsync(shown.LandingUrl);
        var form = HtmlForm.Single(await page.Html(HttpStatusCode.OK));
        var big = form.Submit(new Dictionary<string, string> { ["firstName"] = new string('a', OverFormLimit), ["email"] = TrustSetup.Email(), ["consent"] = "yes" });

        foreach (var chunked in new[] { false, true })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, form.Target(shown.LandingUrl)) { Content = new StringContent(await big.ReadAsStringAsync(), Encoding.ASCII, "application/x-www-form-urlencoded") };
            request.Headers.TransferEncodingChunked = chunked;
            using var response = await phone.SendAsync(request);
            await response.Html(HttpStatusCode.RequestEntityTooLarge);
        }

        Assert.False((await shown.ScreenState(phone))["converted"]!.GetValue<bool>());
        Assert.Empty(await location.Conversions());
    }

    [Fact]
    public async Task Twilio_webhook_form_over_16_KB_is_413_and_suppresses_nothing()
    {
        var location = await gateway.CreateLocationAsync();
        var phone = TrustSetup.Phone();

        using (var reply = await gateway.SmsReply(phone, "STOP " + new string('a', OverFormLimit)))
        {
            await reply.Problem(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        }

        var session = await location.StartSession();
        Assert.Equal("sent", (await session.SendOne("sms", phone)).Text("status"));
    }

    [Fact]
    public async Task Token_request_over_1_MB_is_413()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new StringContent($"grant_type=client_credentials&scope=pos_integration&padding={new string('a', OverAnyLimit)}", Encoding.ASCII, "application/x-www-form-urlencoded"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{GatewayFixture.PosClientId}:{GatewayFixture.PosClientSecret}")));

        // Waiting for "100 Continue" lets the refusal arrive before the body is written; without it the client may
        // still be writing when the gateway answers and closes, and see a broken pipe instead of the answer.
        request.Headers.ExpectContinue = true;
        using var response = await gateway.Anonymous().SendAsync(request);

        await response.Problem(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    [Fact]
    public async Task A_body_cut_short_by_a_client_that_went_away_stores_nothing_and_is_not_logged_as_a_failure_of_the_service()
    {
        var location = await gateway.CreateLocationAsync();
        var authorization = (await gateway.AdminClient()).DefaultRequestHeaders.Authorization!.ToString();
        var route = location.AdminRoute("terminals/lane-cut");
        var linesBefore = gateway.Logs.Lines.Count;

        // 200 bytes announced, 12 sent, then the client closes its side: the body can never be complete.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(gateway.BaseAddress.Host, gateway.BaseAddress.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"PUT {route} HTTP/1.1\r\nHost: {gateway.BaseAddress.Authority}\r\nAuthorization: {authorization}\r\n"
            + "Content-Type: application/json\r\nContent-Length: 200\r\nConnection: close\r\n\r\n{\"name\":\"Cut"));
        socket.Shutdown(SocketShutdown.Send);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token)) > 0)
            {
                answer.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }
        }
        catch (SocketException reset) when (reset.SocketErrorCode == SocketError.ConnectionReset)
        {
            // Kestrel drops a connection whose request body never completed, whatever the answer was.
        }

        // Nobody is left to read an answer, so it need not arrive; if it does, it is the refusal.
        Assert.True(answer.Length == 0 || answer.ToString().StartsWith("HTTP/1.1 400", StringComparison.Ordinal), answer.ToString());
        using var terminal = await location.Admin.GetAsync(route);
        Assert.Equal(HttpStatusCode.NotFound, terminal.StatusCode);
        Assert.DoesNotContain(gateway.Logs.Lines.Skip(linesBefore),
            line => line.Contains("ExceptionHandlerMiddleware", StringComparison.Ordinal) || line.Contains("Unhandled failure", StringComparison.Ordinal));
    }
}
