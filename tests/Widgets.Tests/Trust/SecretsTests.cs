using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Widgets.Tests.Customer;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Trust;

/// <summary>
/// Point 6, secrets and PII: client secrets are stored hashed and never listed; no log line holds a raw phone number
/// or email, the signing key, a client secret, the Twilio auth token or an access token; POS responses mask contacts;
/// outside Development the dashboard needs the admin credential.
/// </summary>
[Collection(TrustCollection.Name)]
public sealed class SecretsTests(TrustFixture gateway)
{
    [Fact]
    public async Task Logs_of_a_messaging_flow_hold_no_raw_phone_or_email_and_no_key_secret_or_token()
    {
        var linesBefore = gateway.Logs.Lines.Count;
        var location = await gateway.CreateLocationAsync();
        var token = await gateway.GetToken(location.PosClientId, location.PosClientSecret, "pos_integration");
        var (email, phone, refused) = (TrustSetup.Email("ada"), TrustSetup.Phone(), TrustSetup.Phone());
        gateway.Twilio.RejectedNumbers[refused] = true;

        // The POS flow: start, show the QR with the contacts, send by both channels (one number refused by Twilio).
        var shown = await location.ShowQrCode(await location.CreateWidgetId(), profile: CustomerLinks.Profile("Ada", "Lovelace", email, phone));
        var session = new TrustSession(location, shown.WidgetId, shown.TerminalId, shown.SessionId);
        using (var sent = await session.Send(email: email, phone: phone))
        {
            await sent.Data();
        }

        var failed = await (await location.StartSession("lane-2")).SendOne("sms", refused);
        Assert.Equal("failed", failed.Text("status"));
        using (var invalid = await session.Send(email: $"not an email {email}", phone: ""))
        {
            await invalid.Problem(HttpStatusCode.BadRequest, "invalid_email");
        }

        // The customer side: the landing page and its submission, the STOP reply, the unsubscribe click.
        var customer = gateway.Anonymous();
        using (var page = await customer.GetAsync(shown.LandingUrl))
        {
            var form = HtmlForm.Single(await page.Html(HttpStatusCode.OK));
            // The page no longer prefills the contacts the POS gave (LandingPrivacyTests): the customer types them.
            using var submitted = await customer.PostAsync(form.Target(shown.LandingUrl),
                form.Submit(new Dictionary<string, string> { ["email"] = email, ["phone"] = phone, ["consent"] = "yes" }));
            await submitted.Html(HttpStatusCode.OK);
        }

        using (var stop = await gateway.SmsReply(phone, "STOP"))
        {
            Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        }

        var unsubscribe = gateway.Smtp.To(email).Single().Headers["List-Unsubscribe"]!.Trim('<', '>');
        using (var oneClick = await customer.PostAsync(unsubscribe, new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" })))
        {
            Assert.Equal(HttpStatusCode.OK, oneClick.StatusCode);
        }

        using (var wrong = await gateway.RequestToken(location.PosClientId, location.PosClientSecret + "x", "pos_integration"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        var lines = gateway.Logs.Lines.Skip(linesBefore).ToList();
        Assert.Contains(lines, l => l.Contains("opt-out", StringComparison.Ordinal) && l.Contains(phone[^4..], StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(failed.Text("messageId"), StringComparison.Ordinal));
        var accessKey = TestTokens.AccessTokenKey(TrustFixture.SigningKey);
        var forbidden = new Dictionary<string, string>
        {
            ["the email address"] = email,
            ["the phone number"] = phone,
            ["the phone number without its country code"] = phone[2..],
            ["the refused phone number"] = refused,
            ["the refused phone number without its country code"] = refused[2..],
            ["the client secret"] = location.PosClientSecret,
            ["the access token's signature"] = token.Split('.')[2],
            ["the access-token key"] = Convert.ToBase64String(accessKey),
            ["the access-token key in hex"] = Convert.ToHexString(accessKey),
        };
        foreach (var (i, secret) in gateway.KnownSecrets.Select((s, i) => (i, s)))
        {
            forbidden[$"known secret #{i}"] = secret;
        }

        foreach (var line in gateway.Logs.Lines)
        {
            foreach (var (what, value) in forbidden)
            {
                Assert.False(line.Contains(value, StringComparison.OrdinalIgnoreCase), $"A log line holds {what}: {line}");
            }
        }
    }

    [Fact]
    public async Task Client_secrets_are_stored_only_as_hashes_and_never_listed()
    {
        var location = await gateway.CreateLocationAsync();
        var secret = location.PosClientSecret;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

        Assert.True(StoredState.FilesContain(gateway.DataDirectory, hash), "The client's SHA-256 hash is not in the database: the secret is kept some other way.");
        Assert.False(StoredState.FilesContain(gateway.DataDirectory, secret), "The client secret is in the database in clear.");
        Assert.False(StoredState.FilesContain(gateway.DataDirectory, GatewayFixture.PosClientSecret), "The demo client secret is in the database in clear.");

        var admin = await gateway.AdminClient();
        using var list = await admin.GetAsync("/v2/admin/clients");
        var text = (await list.Data()).ToJsonString();
        var client = Assert.Single((await list.Data()).AsArray(), c => c!.Text("clientId") == location.PosClientId)!;
        Assert.Equal(["clientId", "createdAt", "locations", "scopes"], client.Keys());
        foreach (var value in new[] { secret, hash, GatewayFixture.PosClientSecret, GatewayFixture.AdminClientSecret })
        {
            Assert.DoesNotContain(value, text);
        }
    }

    [Fact]
    public async Task Pos_responses_show_contacts_masked()
    {
        var location = await gateway.CreateLocationAsync();
        var session = await location.StartSession();
        var (email, phone) = (TrustSetup.Email("grace"), TrustSetup.Phone());
        var texts = new List<string>();

        using (var show = await location.Pos.PostJson(location.PosRoute("widget/showQrCode"), session.Body(email, phone)))
        {
            texts.Add((await show.Data()).ToJsonString());
        }

        JsonArray messages;
        using (var send = await session.Send(email: email, phone: phone))
        {
            messages = (await send.Data())["messages"]!.AsArray();
            texts.Add(messages.ToJsonString());
        }

        texts.Add((await location.Session(session.SessionId)).ToJsonString());
        using (var cancel = await location.Pos.PostAsync(location.PosRoute($"widget/sessions/{session.SessionId}/cancel"), null))
        {
            texts.Add((await cancel.Data()).ToJsonString());
        }

        Assert.Equal($"g***@example.com", Assert.Single(messages, m => m!.Text("channel") == "email")!.Text("to"));
        var to = Assert.Single(messages, m => m!.Text("channel") == "sms")!.Text("to");
        Assert.EndsWith(phone[^4..], to);
        Assert.Contains("*", to);
        foreach (var text in texts)
        {
            Assert.DoesNotContain(email, text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(phone, text);
            Assert.DoesNotContain(phone[2..], text);
        }
    }

    [Fact]
    public async Task Dashboard_outside_Development_requires_the_admin_credential()
    {
        var pos = await gateway.PosClient();
        var admin = await gateway.AdminClient();
        var attempts = new (string Who, AuthenticationHeaderValue? Credential, HttpClient Client, HttpStatusCode Expected)[]
        {
            ("anonymous (from loopback)", null, gateway.Anonymous(), HttpStatusCode.Unauthorized),
            ("the admin client with a wrong secret", Basic(GatewayFixture.AdminClientId, "wrong"), gateway.Anonymous(), HttpStatusCode.Unauthorized),
            ("the POS client (Basic)", Basic(GatewayFixture.PosClientId, GatewayFixture.PosClientSecret), gateway.Anonymous(), HttpStatusCode.Forbidden),
            ("the POS client (Bearer)", null, pos, HttpStatusCode.Forbidden),
            ("the admin client (Basic)", Basic(GatewayFixture.AdminClientId, GatewayFixture.AdminClientSecret), gateway.Anonymous(), HttpStatusCode.OK),
            ("the admin client (Bearer)", null, admin, HttpStatusCode.OK),
        };

        foreach (var (who, credential, client, expected) in attempts)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard/");
            request.Headers.Authorization = credential ?? client.DefaultRequestHeaders.Authorization;
            using var response = await client.SendAsync(request);
            Assert.True(response.StatusCode == expected, $"{who} got {(int)response.StatusCode} from the dashboard, expected {(int)expected}.");
            if (expected == HttpStatusCode.OK)
            {
                Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            }
            else
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }
    }

    private static AuthenticationHeaderValue Basic(string id, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{id}:{secret}")));
}
