using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Trust;

/// <summary>A started session at a location, as the POS holds it after widget/start (and showQrCode, when shown).</summary>
public sealed record TrustSession(GatewayLocation Location, int WidgetId, string TerminalId, string SessionId)
{
    public object Body(string email = "", string phone = "", string? locationId = null) =>
        Location.InteractionBody(SessionId, WidgetId, TerminalId, email, phone, locationId);
}

/// <summary>Locations, clients and sessions the trust tests build over HTTP, beyond what <see cref="GatewayFixture"/> offers.</summary>
public static class TrustSetup
{
    /// <summary>A unique, valid email address for one test.</summary>
    public static string Email(string who = "customer") => $"{who}.{Guid.NewGuid():N}@example.com";

    private static int phones = Random.Shared.Next(0, 10000);

    /// <summary>A valid US mobile number in E.164, in the 650-253 exchange of the tests, unique within a run.</summary>
    public static string Phone() => $"+1650253{Interlocked.Increment(ref phones) % 10000:0000}";

    /// <summary>
    /// A location with a chosen <paramref name="locationId"/> (so two POS systems can share one), its terminals and a
    /// POS client granted it alone, all through the operator API.
    /// </summary>
    public static async Task<GatewayLocation> CreateLocation(this GatewayFixture gateway, string posSystemId, string locationId, params string[] terminals)
    {
        var admin = await gateway.AdminClient();
        var location = new GatewayLocation(gateway, posSystemId, locationId, admin);
        foreach (var terminal in terminals.Length > 0 ? terminals : ["lane-1", "lane-2"])
        {
            await location.PutTerminal(terminal);
        }

        var (clientId, secret) = await gateway.CreateClient($"pos-{posSystemId}-{locationId}", "pos_integration", location);
        location.Pos = await gateway.BearerClient(clientId, secret, "pos_integration");
        location.PosClientId = clientId;
        location.PosClientSecret = secret;
        return location;
    }

    /// <summary>Creates an API client through <c>POST /v2/admin/clients</c>; returns its id and its secret (shown once).</summary>
    public static async Task<(string ClientId, string Secret)> CreateClient(this GatewayFixture gateway, string clientId, string scope, params GatewayLocation[] locations)
    {
        var admin = await gateway.AdminClient();
        using var created = await admin.PostJson("/v2/admin/clients", new
        {
            clientId,
            scopes = new[] { scope },
            locations = locations.Select(l => new { posSystemId = l.PosSystemId, posLocationId = l.LocationId }).ToArray(),
        });
        return (clientId, (await created.Data(HttpStatusCode.Created)).Text("clientSecret"));
    }

    /// <summary>An operator client (<c>widgets_admin</c>) limited to <paramref name="location"/>.</summary>
    public static async Task<HttpClient> LocationAdmin(this GatewayFixture gateway, GatewayLocation location)
    {
        var (clientId, secret) = await gateway.CreateClient($"admin-{Guid.NewGuid():N}", "widgets_admin", location);
        return await gateway.BearerClient(clientId, secret, "widgets_admin");
    }

    /// <summary>Starts a session of a new widget (all channels) on <paramref name="terminalId"/>.</summary>
    public static async Task<TrustSession> StartSession(this GatewayLocation location, string terminalId = "lane-1", int? widgetId = null)
    {
        var id = widgetId ?? await location.CreateWidgetId();
        var sessionId = (await location.Start(terminalId, id)).Text("sessionId");
        return new TrustSession(location, id, terminalId, sessionId);
    }

    /// <summary>POST widget/sendMessage; returns the response (the caller asserts).</summary>
    public static Task<HttpResponseMessage> Send(this TrustSession session, string email = "", string phone = "", string? idempotencyKey = null, object? body = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, session.Location.PosRoute("widget/sendMessage"))
        {
            Content = GatewayJson.Body(body ?? session.Body(email, phone)),
        };
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        return session.Location.Pos.SendAsync(request);
    }

    /// <summary>Sends and returns the one message of <paramref name="channel"/> from the 200 response.</summary>
    public static async Task<JsonNode> SendOne(this TrustSession session, string channel, string address)
    {
        using var response = await session.Send(email: channel == "email" ? address : "", phone: channel == "sms" ? address : "");
        var messages = (await response.Data())["messages"]!.AsArray();
        return Assert.Single(messages, m => m!.Text("channel") == channel)!;
    }

    /// <summary>The session's messages as <c>GET …/widget/sessions/{id}</c> shows them.</summary>
    public static async Task<JsonArray> Messages(this TrustSession session) =>
        (await session.Location.Session(session.SessionId))["messages"]!.AsArray();

    /// <summary>
    /// An SMS reply arriving on Twilio's inbound webhook, signed as Twilio signs it unless <paramref name="sign"/>
    /// says otherwise (it gets the URL and fields and returns the signature to send, or null to send none).
    /// </summary>
    public static async Task<HttpResponseMessage> SmsReply(this GatewayFixture gateway, string from, string body, Func<Uri, Dictionary<string, string>, string?>? sign = null)
    {
        var url = new Uri(gateway.BaseAddress, "/webhooks/twilio/sms");
        var fields = new Dictionary<string, string>
        {
            ["MessageSid"] = "SM" + Guid.NewGuid().ToString("N"),
            ["AccountSid"] = FakeTwilio.AccountSid,
            ["From"] = from,
            ["To"] = FakeTwilio.From,
            ["Body"] = body,
            ["NumMedia"] = "0",
        };
        return await gateway.Anonymous().SendAsync(Signed(url, fields, sign));
    }

    /// <summary>A form post to <paramref name="url"/> with the X-Twilio-Signature <paramref name="sign"/> chooses (Twilio's own by default).</summary>
    public static HttpRequestMessage Signed(Uri url, Dictionary<string, string> fields, Func<Uri, Dictionary<string, string>, string?>? sign = null)
    {
        var signature = sign is null ? FakeTwilio.Sign(url.ToString(), fields) : sign(url, fields);
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(fields) };
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Twilio-Signature", signature);
        }

        return request;
    }

    public static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
