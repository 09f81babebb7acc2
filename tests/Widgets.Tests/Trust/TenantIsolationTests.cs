using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Trust;

/// <summary>
/// Point 1, tenant isolation: every POS and operator call is checked against the caller's granted locations and
/// scopes. Another tenant's ids answer 404 exactly as ids that do not exist (never 403, never data); a token without
/// the scope gets 403; a token that is missing, expired, forged with another key, unsigned (alg: none) or tampered
/// gets 401 problem+json. After each matrix the victim's location, widgets, terminals, session and clients are
/// exactly as before and no message was sent.
/// </summary>
[Collection(TrustCollection.Name)]
public sealed class TenantIsolationTests(TrustFixture gateway)
{
    [Fact]
    public void Every_pos_and_operator_route_the_gateway_maps_is_in_the_matrix()
    {
        // Ids only: the requests are matched against the routes, not sent.
        var victim = new Victim(new GatewayLocation(gateway, "pax", "store-1", gateway.Anonymous()) { PosClientId = "pos-store-1" }, 1, "Widget", "lane-1", new string('0', 32), "victim@example.com");
        var requests = ApiEndpoints.All.Select(endpoint =>
        {
            using var request = endpoint.Request(victim);
            return (request.Method.Method, request.RequestUri!.OriginalString.Split('?')[0]);
        });

        var missing = new GatewayRoutes(gateway.Endpoints).NotReached(requests,
            r => r.Template.StartsWith("/v2/pos/", StringComparison.Ordinal) || r.Template.StartsWith("/v2/admin/", StringComparison.Ordinal));

        Assert.True(missing.Count == 0, $"Routes the gateway maps that ApiEndpoints does not call: {string.Join(", ", missing)}");
    }

    [Fact]
    public async Task Pos_token_of_another_location_gets_404_on_every_pos_endpoint_and_changes_nothing()
    {
        var sharedLocationId = $"store-{Guid.NewGuid():N}";
        var attacker = await gateway.CreateLocation("pax", sharedLocationId);
        var victims = new[]
        {
            // The same posLocationId under another POS system is another tenant.
            await Victim.Create(gateway, "clover", sharedLocationId),
            await Victim.Create(gateway, "pax", $"store-{Guid.NewGuid():N}"),
        };
        var before = await Task.WhenAll(victims.Select(Snapshot));

        foreach (var victim in victims)
        {
            foreach (var endpoint in ApiEndpoints.Pos)
            {
                using var response = await ApiEndpoints.Call(attacker.Pos, endpoint.Request(victim));
                var code = endpoint.Name.Contains("sessions/", StringComparison.Ordinal) ? "session_not_found" : "location_not_found";
                await NotFoundWithoutData(response, code, victim, $"{endpoint} of {victim.Location.PosSystemId}/{victim.Location.LocationId}");
            }

            // The attacker's own, granted location with the victim's session id: still no such session.
            foreach (var operation in new[] { "widget/showQrCode", "widget/sendMessage" })
            {
                using var response = await attacker.Pos.PostJson(attacker.PosRoute(operation),
                    victim.Location.InteractionBody(victim.SessionId, victim.WidgetId, victim.TerminalId, email: victim.Email, locationId: attacker.LocationId));
                await NotFoundWithoutData(response, "session_not_found", victim, $"{operation} of the victim's session through the attacker's location");
            }
        }

        // The victims' widget and terminal ids through its own location: they are not there.
        using (var widget = await attacker.Pos.PostJson(attacker.PosRoute("widget/start"), attacker.StartBody("lane-1", victims[0].WidgetId)))
        {
            await NotFoundWithoutData(widget, "widget_not_found", victims[0], "start of the victim's widget at the attacker's location");
        }

        using (var terminal = await ApiEndpoints.Call(attacker.Pos, new HttpRequestMessage(HttpMethod.Get, attacker.PosRoute($"terminals/lane-9/events?posLocationId={attacker.LocationId}"))))
        {
            await NotFoundWithoutData(terminal, "terminal_not_found", victims[0], "events of the victim's terminal at the attacker's location");
        }

        using (var screen = await attacker.Pos.PostJson(attacker.PosRoute("carousel"), new { posLocationId = attacker.LocationId, terminalId = "lane-9" }))
        {
            await NotFoundWithoutData(screen, "terminal_not_found", victims[0], "screen link of the victim's terminal at the attacker's location");
        }

        // Its own location lists none of the victims' widgets.
        using var own = await attacker.Pos.PostJson(attacker.PosRoute("widgets/list"), new { posLocationId = attacker.LocationId });
        Assert.Empty((await own.Data()).AsArray());
        Assert.Equal(before, await Task.WhenAll(victims.Select(Snapshot)));
    }

    [Fact]
    public async Task Operator_token_limited_to_one_location_gets_404_for_another_and_403_on_clients()
    {
        var own = await gateway.CreateLocationAsync();
        var victim = await Victim.Create(gateway, "pax", $"store-{Guid.NewGuid():N}");
        var admin = await gateway.LocationAdmin(own);
        var before = await Snapshot(victim);
        using (var control = await admin.GetAsync(own.AdminRoute("widgets")))
        {
            Assert.Empty((await control.Data()).AsArray());
        }

        foreach (var endpoint in ApiEndpoints.OperatorLocation)
        {
            using var response = await ApiEndpoints.Call(admin, endpoint.Request(victim));
            await NotFoundWithoutData(response, "location_not_found", victim, endpoint.Name);
        }

        foreach (var endpoint in ApiEndpoints.OperatorClients)
        {
            using var response = await ApiEndpoints.Call(admin, endpoint.Request(victim));
            await WithoutData(await response.Problem(HttpStatusCode.Forbidden, "insufficient_scope"), victim, endpoint.Name);
        }

        // The victim's widget id and terminal through its own location: ids are per location, so they do not exist there.
        using (var widget = await admin.GetAsync(own.AdminRoute($"widgets/{victim.WidgetId}")))
        {
            await widget.Problem(HttpStatusCode.NotFound, "widget_not_found");
        }

        using (var terminal = await admin.GetAsync(own.AdminRoute("terminals/lane-9")))
        {
            await terminal.Problem(HttpStatusCode.NotFound, "terminal_not_found");
        }

        using (var revoke = await admin.PostAsync(own.AdminRoute("terminals/lane-9/screen/revoke"), null))
        {
            await revoke.Problem(HttpStatusCode.NotFound, "terminal_not_found");
        }

        Assert.Equal(before, await Snapshot(victim));
    }

    [Fact]
    public async Task Token_without_the_scope_gets_403_insufficient_scope_on_every_pos_and_operator_endpoint()
    {
        var victim = await Victim.Create(gateway, "pax", $"store-{Guid.NewGuid():N}");
        var before = await Snapshot(victim);
        var locationAdmin = await gateway.LocationAdmin(victim.Location);
        var globalAdmin = await gateway.AdminClient();

        foreach (var endpoint in ApiEndpoints.Operator)
        {
            // The location's own POS client: granted the location, not the operator scope.
            using var response = await ApiEndpoints.Call(victim.Location.Pos, endpoint.Request(victim));
            await WithoutData(await response.Problem(HttpStatusCode.Forbidden, "insufficient_scope"), victim, $"POS token on {endpoint}");
        }

        foreach (var endpoint in ApiEndpoints.Pos)
        {
            foreach (var (who, client) in new[] { ("location admin", locationAdmin), ("global admin", globalAdmin) })
            {
                using var response = await ApiEndpoints.Call(client, endpoint.Request(victim));
                await WithoutData(await response.Problem(HttpStatusCode.Forbidden, "insufficient_scope"), victim, $"{who} token on {endpoint}");
            }
        }

        Assert.Equal(before, await Snapshot(victim));
    }

    [Fact]
    public async Task Missing_expired_foreign_key_alg_none_and_tampered_tokens_get_401_on_every_endpoint()
    {
        var victim = await Victim.Create(gateway, "pax", $"store-{Guid.NewGuid():N}");
        var realKey = TestTokens.AccessTokenKey(TrustFixture.SigningKey);
        var now = DateTimeOffset.UtcNow;
        using var clients = await (await gateway.AdminClient()).GetAsync("/v2/admin/clients");
        var created = (await clients.Data()).AsArray().ToDictionary(c => c!.Text("clientId"), c => c!.Time("createdAt"));

        // Controls: a token the test mints with the gateway's key and a valid lifetime works, so each forgery
        // below differs from a working token in exactly the way its name says.
        using (var pos = await WithToken(TestTokens.Valid(victim.Location.PosClientId, "pos_integration", realKey, created[victim.Location.PosClientId])).GetAsync(victim.Location.PosRoute($"widget/sessions/{victim.SessionId}")))
        {
            await pos.Data();
        }

        using (var admin = await WithToken(TestTokens.Valid(GatewayFixture.AdminClientId, "widgets_admin", realKey, created[GatewayFixture.AdminClientId])).GetAsync(victim.Location.AdminRoute("terminals")))
        {
            await admin.Data();
        }

        var before = await Snapshot(victim);
        foreach (var (endpoint, clientId, scope) in ApiEndpoints.Pos.Select(e => (e, victim.Location.PosClientId, "pos_integration"))
            .Concat(ApiEndpoints.Operator.Select(e => (e, GatewayFixture.AdminClientId, "widgets_admin"))))
        {
            var forgeries = new Dictionary<string, string?>
            {
                ["no token"] = null,
                ["garbage"] = "not-a-jwt",
                // Not before now (after the client was created), so its lifetime is the one thing wrong with it.
                ["expired an hour ago"] = TestTokens.Mint(clientId, scope, now, now.AddHours(-1), realKey, clientCreated: created[clientId]),
                ["no expiry"] = TestTokens.Mint(clientId, scope, now, null, realKey, clientCreated: created[clientId]),
                ["signed with another key"] = TestTokens.Mint(clientId, scope, now, now.AddHours(1), TestTokens.OtherKey(), clientCreated: created[clientId]),
                ["alg none"] = TestTokens.Mint(clientId, scope, now, now.AddHours(1), key: null, clientCreated: created[clientId]),
                ["another issuer"] = TestTokens.Mint(clientId, scope, now, now.AddHours(1), realKey, issuer: "evil", clientCreated: created[clientId]),
                ["another audience"] = TestTokens.Mint(clientId, scope, now, now.AddHours(1), realKey, audience: "evil", clientCreated: created[clientId]),
                ["scope widened after signing"] = WidenScope(TestTokens.Valid(clientId, scope, realKey, created[clientId])),
                ["unknown client"] = TestTokens.Valid($"ghost-{Guid.NewGuid():N}", scope, realKey, created[clientId]),
                ["an earlier client of the same id"] = TestTokens.Valid(clientId, scope, realKey, created[clientId].AddMilliseconds(-1)),
            };
            foreach (var (forgery, token) in forgeries)
            {
                using var request = endpoint.Request(victim);
                if (token is not null)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                }

                using var response = await ApiEndpoints.Call(gateway.Anonymous(), request);
                await WithoutData(await response.Problem(HttpStatusCode.Unauthorized, "unauthorized"), victim, $"{forgery} on {endpoint}");
                Assert.True(response.Headers.WwwAuthenticate.Count > 0, $"No WWW-Authenticate with the 401 of {forgery} on {endpoint}.");
            }
        }

        Assert.Equal(before, await Snapshot(victim));
    }

    [Fact]
    public async Task Http_Basic_with_a_valid_clients_own_id_and_secret_is_401_on_every_pos_and_operator_endpoint()
    {
        // The APIs take bearer tokens only; Basic with the admin client's credentials is for the dashboard in a browser.
        var victim = await Victim.Create(gateway, "pax", $"store-{Guid.NewGuid():N}");
        var before = await Snapshot(victim);

        foreach (var (endpoint, clientId, secret) in ApiEndpoints.Pos.Select(e => (e, victim.Location.PosClientId, victim.Location.PosClientSecret))
            .Concat(ApiEndpoints.Operator.Select(e => (e, GatewayFixture.AdminClientId, GatewayFixture.AdminClientSecret))))
        {
            using var request = endpoint.Request(victim);
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{secret}")));
            using var response = await ApiEndpoints.Call(gateway.Anonymous(), request);
            await WithoutData(await response.Problem(HttpStatusCode.Unauthorized, "unauthorized"), victim, $"HTTP Basic of {clientId} on {endpoint}");
            Assert.True(response.Headers.WwwAuthenticate.Any(h => h.Scheme == "Bearer"), $"The 401 of HTTP Basic on {endpoint} does not ask for a bearer token.");
        }

        Assert.Equal(before, await Snapshot(victim));
    }

    private HttpClient WithToken(string token)
    {
        var client = gateway.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>The token with both scopes in its payload and its original signature.</summary>
    private static string WidenScope(string token)
    {
        var parts = token.Split('.');
        var payload = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(Pad(parts[1]))))!;
        payload["scope"] = "pos_integration widgets_admin";
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(payload.ToJsonString())).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{parts[0]}.{encoded}.{parts[2]}";
    }

    private static string Pad(string base64Url)
    {
        var s = base64Url.Replace('-', '+').Replace('_', '/');
        return s.PadRight((s.Length + 3) / 4 * 4, '=');
    }

    private static async Task NotFoundWithoutData(HttpResponseMessage response, string code, Victim victim, string what)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{what}: expected 404 {code}, got {(int)response.StatusCode}: {text}");
        await WithoutData(await response.Problem(HttpStatusCode.NotFound, code), victim, what);
    }

    private static Task WithoutData(JsonObject problem, Victim victim, string what)
    {
        var text = problem.ToJsonString();
        foreach (var secret in new[] { victim.WidgetName, victim.SessionId, victim.Email, "Lane lane-9" })
        {
            Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{what} answered with the victim's data ({secret}): {text}");
        }

        return Task.CompletedTask;
    }

    /// <summary>Everything of the victim's an attacker could have read or changed, as its own clients see it.</summary>
    private async Task<string> Snapshot(Victim victim)
    {
        var admin = await gateway.AdminClient();
        var parts = new List<string>();
        foreach (var path in new[] { "settings", "widgets", "terminals", "conversions" })
        {
            using var response = await admin.GetAsync(victim.Location.AdminRoute(path).TrimEnd('/'));
            parts.Add((await response.Data()).ToJsonString());
        }

        using (var session = await victim.Location.Pos.GetAsync(victim.Location.PosRoute($"widget/sessions/{victim.SessionId}")))
        {
            parts.Add((await session.Data()).ToJsonString());
        }

        // The screen link names the terminal's screen generation: a revocation would change it.
        using (var screen = await victim.Location.Pos.PostJson(victim.Location.PosRoute("carousel"), new { posLocationId = victim.Location.LocationId, terminalId = victim.TerminalId }))
        {
            parts.Add((await screen.Data()).ToJsonString());
        }

        using (var clients = await admin.GetAsync("/v2/admin/clients"))
        {
            var all = (await clients.Data()).AsArray().Select(c => c!.Text("clientId")).ToList();
            parts.Add($"victim client listed: {all.Contains(victim.Location.PosClientId)}; hijackers: {all.Count(c => c.StartsWith("hijack-", StringComparison.Ordinal))}");
        }

        using (var token = await gateway.RequestToken(victim.Location.PosClientId, victim.Location.PosClientSecret, "pos_integration"))
        {
            parts.Add($"victim client gets a token: {token.StatusCode}");
        }

        parts.Add($"emails to the victim address: {gateway.Smtp.To(victim.Email).Count}");
        return string.Join("\n", parts);
    }
}
