using Widgets.Tests.Infrastructure;

namespace Widgets.Tests.Trust;

/// <summary>What one tenant owns and another tries to reach: a location with a widget, a terminal and an active session.</summary>
public sealed record Victim(GatewayLocation Location, int WidgetId, string WidgetName, string TerminalId, string SessionId, string Email)
{
    public static async Task<Victim> Create(GatewayFixture gateway, string posSystemId, string locationId)
    {
        var location = await gateway.CreateLocation(posSystemId, locationId, "lane-1", "lane-9");
        var name = $"Victim widget {Guid.NewGuid():N}";
        var widgetId = await location.CreateWidgetId(name);
        var sessionId = (await location.Start("lane-1", widgetId)).Text("sessionId");
        return new Victim(location, widgetId, name, "lane-1", sessionId, TrustSetup.Email("victim"));
    }
}

/// <summary>One call of the token-protected API, aimed at a victim's ids with a valid body.</summary>
public sealed record ApiEndpoint(string Name, Func<Victim, HttpRequestMessage> Request)
{
    public override string ToString() => Name;
}

/// <summary>
/// Every POS and operator endpoint, each as a well-formed request for a victim's location
/// (<c>TenantIsolationTests</c> checks the list against the routes the gateway maps).
/// </summary>
public static class ApiEndpoints
{
    public static readonly IReadOnlyList<ApiEndpoint> Pos =
    [
        new("POST widgets/list", v => Json(HttpMethod.Post, v.Location.PosRoute("widgets/list"), new { posLocationId = v.Location.LocationId })),
        new("POST widget/start", v => Json(HttpMethod.Post, v.Location.PosRoute("widget/start"), v.Location.StartBody("lane-9", v.WidgetId))),
        new("POST widget/showQrCode", v => Json(HttpMethod.Post, v.Location.PosRoute("widget/showQrCode"), v.Location.InteractionBody(v.SessionId, v.WidgetId, v.TerminalId))),
        new("POST widget/sendMessage", v => Json(HttpMethod.Post, v.Location.PosRoute("widget/sendMessage"), v.Location.InteractionBody(v.SessionId, v.WidgetId, v.TerminalId, email: v.Email))),
        new("GET widget/sessions/{id}", v => new HttpRequestMessage(HttpMethod.Get, v.Location.PosRoute($"widget/sessions/{v.SessionId}"))),
        new("POST widget/sessions/{id}/cancel", v => new HttpRequestMessage(HttpMethod.Post, v.Location.PosRoute($"widget/sessions/{v.SessionId}/cancel"))),
        new("GET terminals/{id}/events", v => new HttpRequestMessage(HttpMethod.Get, v.Location.PosRoute($"terminals/{v.TerminalId}/events?posLocationId={v.Location.LocationId}"))),
        new("POST carousel", v => Json(HttpMethod.Post, v.Location.PosRoute("carousel"), new { posLocationId = v.Location.LocationId, terminalId = v.TerminalId })),
    ];

    /// <summary>The operator routes under <c>/v2/admin/pos/{posSystemId}/locations/{posLocationId}</c>.</summary>
    public static readonly IReadOnlyList<ApiEndpoint> OperatorLocation =
    [
        new("GET location", v => new HttpRequestMessage(HttpMethod.Get, v.Location.AdminRoute("settings"))),
        new("PUT location", v => Json(HttpMethod.Put, v.Location.AdminRoute("settings"), new { name = "Hijacked", timeZone = "America/New_York" })),
        new("GET widgets", v => new HttpRequestMessage(HttpMethod.Get, v.Location.AdminRoute("widgets"))),
        new("POST widgets", v => Json(HttpMethod.Post, v.Location.AdminRoute("widgets"), GatewayLocation.Draft("Hijacked"))),
        new("GET widgets/{id}", v => new HttpRequestMessage(HttpMethod.Get, v.Location.AdminRoute($"widgets/{v.WidgetId}"))),
        new("PUT widgets/{id}", v => Json(HttpMethod.Put, v.Location.AdminRoute($"widgets/{v.WidgetId}"), GatewayLocation.Draft("Hijacked"))),
        new("DELETE widgets/{id}", v => new HttpRequestMessage(HttpMethod.Delete, v.Location.AdminRoute($"widgets/{v.WidgetId}"))),
        new("GET terminals", v => new HttpRequestMessage(HttpMethod.Get, v.Location.AdminRoute("terminals"))),
        new("GET terminals/{id}", v => new HttpRequestMessage(HttpMethod.Get, v.Location.AdminRoute("terminals/lane-9"))),
        new("PUT terminals/{id}", v => Json(HttpMethod.Put, v.Location.AdminRoute("terminals/lane-9"), new { name = "Hijacked" })),
        new("DELETE terminals/{id}", v => new HttpRequestMessage(HttpMethod.Delete, v.Location.AdminRoute("terminals/lane-9"))),
        new("POST terminals/{id}/screen/revoke", v => new HttpRequestMessage(HttpMethod.Post, v.Location.AdminRoute($"terminals/{v.TerminalId}/screen/revoke"))),
        new("GET stats", v => new HttpRequestMessage(HttpMethod.Get, v.Location.AdminRoute("stats"))),
        new("GET conversions", v => new HttpRequestMessage(HttpMethod.Get, v.Location.AdminRoute("conversions"))),
        new("POST privacy/erase", v => Json(HttpMethod.Post, v.Location.AdminRoute("privacy/erase"), new { email = v.Email })),
    ];

    /// <summary>The operator routes under <c>/v2/admin/clients</c>.</summary>
    public static readonly IReadOnlyList<ApiEndpoint> OperatorClients =
    [
        new("POST clients", v => Json(HttpMethod.Post, "/v2/admin/clients", new
        {
            clientId = $"hijack-{Guid.NewGuid():N}",
            scopes = new[] { "pos_integration" },
            locations = new[] { new { posSystemId = v.Location.PosSystemId, posLocationId = v.Location.LocationId } },
        })),
        new("GET clients", _ => new HttpRequestMessage(HttpMethod.Get, "/v2/admin/clients")),
        new("DELETE clients/{id}", v => new HttpRequestMessage(HttpMethod.Delete, $"/v2/admin/clients/{v.Location.PosClientId}")),
    ];

    public static IEnumerable<ApiEndpoint> Operator => OperatorLocation.Concat(OperatorClients);

    public static IEnumerable<ApiEndpoint> All => Pos.Concat(Operator);

    /// <summary>
    /// Sends <paramref name="request"/> and returns once the headers are in, failing at once if it answered with
    /// the event stream (which would never end).
    /// </summary>
    public static async Task<HttpResponseMessage> Call(HttpClient client, HttpRequestMessage request)
    {
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            response.Dispose();
            throw new Xunit.Sdk.XunitException($"{request.Method} {request.RequestUri} answered {(int)response.StatusCode} with the terminal's event stream.");
        }

        return response;
    }

    private static HttpRequestMessage Json(HttpMethod method, string url, object body) => new(method, url) { Content = GatewayJson.Body(body) };
}
