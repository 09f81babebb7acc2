using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace Widgets.Tests.Infrastructure;

/// <summary>
/// One test's own merchant location on the shared gateway, with the operator client that manages it and a POS
/// client granted only this location. Every call goes over HTTP.
/// </summary>
public sealed class GatewayLocation(GatewayFixture gateway, string posSystemId, string locationId, HttpClient admin)
{
    public GatewayFixture Gateway { get; } = gateway;

    public string PosSystemId { get; } = posSystemId;

    public string LocationId { get; } = locationId;

    /// <summary>Operator client (<c>widgets_admin</c>).</summary>
    public HttpClient Admin { get; } = admin;

    /// <summary>A POS client (<c>pos_integration</c>) granted this location only.</summary>
    public HttpClient Pos { get; internal set; } = null!;

    public string PosClientId { get; internal set; } = "";

    public string PosClientSecret { get; internal set; } = "";

    /// <summary><c>/v2/pos/{posSystemId}/{path}</c>.</summary>
    public string PosRoute(string path) => $"/v2/pos/{PosSystemId}/{path}";

    /// <summary><c>/v2/admin/pos/{posSystemId}/locations/{posLocationId}/{path}</c>.</summary>
    public string AdminRoute(string path) => $"/v2/admin/pos/{PosSystemId}/locations/{LocationId}/{path}";

    /// <summary>A valid widget draft an operator might submit; tests change what they are about.</summary>
    public static JsonObject Draft(string name = "Join our rewards", int timeoutSeconds = 45) => new()
    {
        ["name"] = name,
        ["type"] = "loyaltyEnrollment",
        ["icon"] = "https://cdn.shop.test/icons/rewards.png",
        ["description"] = "Earn a point for every dollar.",
        ["contexts"] = new JsonArray("checkout", "idle"),
        ["channels"] = new JsonArray("qr", "sms", "email"),
        ["timeoutSeconds"] = timeoutSeconds,
        ["content"] = new JsonObject
        {
            ["headline"] = "Join Rewards",
            ["body"] = "Sign up in 20 seconds.",
            ["smsText"] = "Hi {firstName}, join Rewards here: {url}",
            ["emailSubject"] = "Join our Rewards program",
            ["emailBody"] = "Hi {firstName}, tap the link to join: {url}",
        },
    };

    /// <summary>Creates a widget through the operator API; returns the created widget.</summary>
    public async Task<JsonNode> CreateWidget(JsonObject draft)
    {
        using var response = await Admin.PostJson(AdminRoute("widgets"), draft);
        return await response.Data(HttpStatusCode.Created);
    }

    public async Task<int> CreateWidgetId(string name = "Join our rewards", int timeoutSeconds = 45) =>
        (await CreateWidget(Draft(name, timeoutSeconds))).Int("id");

    public async Task PutTerminal(string terminalId)
    {
        using var response = await Admin.PutJson(AdminRoute($"terminals/{terminalId}"), new { name = $"Lane {terminalId}" });
        await response.Data();
    }

    /// <summary>The terminal as the operator API shows it.</summary>
    public async Task<JsonNode> Terminal(string terminalId)
    {
        using var response = await Admin.GetAsync(AdminRoute($"terminals/{terminalId}"));
        return await response.Data();
    }

    public async Task<JsonNode> Widget(int widgetId)
    {
        using var response = await Admin.GetAsync(AdminRoute($"widgets/{widgetId}"));
        return await response.Data();
    }

    public object StartBody(string terminalId, object widgetId) =>
        new { posLocationId = LocationId, terminalId, widgetId, couponId = (string?)null };

    /// <summary>Starts a session as ClearLine's docs show it (string widgetId, json-patch content type); returns <c>data</c>.</summary>
    public async Task<JsonNode> Start(string terminalId, int widgetId)
    {
        using var response = await Pos.PostJson(PosRoute("widget/start"), StartBody(terminalId, widgetId.ToString(System.Globalization.CultureInfo.InvariantCulture)), GatewayJson.JsonPatch);
        return await response.Data();
    }

    /// <summary>The body of showQrCode and sendMessage.</summary>
    public object InteractionBody(string sessionId, int widgetId, string terminalId, string email = "", string phone = "", string? locationId = null) => new
    {
        widgetId = widgetId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        sessionId,
        posLocationId = locationId ?? LocationId,
        terminalId,
        profile = new { firstName = "Ada", lastName = "Lovelace", customerEmail = email, customerPhone = phone, salesPerson = "Sam" },
        couponId = (string?)null,
    };

    public async Task<JsonNode> Session(string sessionId)
    {
        using var response = await Pos.GetAsync(PosRoute($"widget/sessions/{sessionId}"));
        return await response.Data();
    }

    public async Task<string> SessionState(string sessionId) => (await Session(sessionId)).Text("state");

    /// <summary>The stats row of one widget today, or null while it has none.</summary>
    public async Task<JsonNode?> StatsOf(int widgetId)
    {
        using var response = await Admin.GetAsync(AdminRoute("stats"));
        var data = await response.Data();
        return data["widgets"]!.AsArray().FirstOrDefault(w => w!.Int("widgetId") == widgetId);
    }

    /// <summary>Waits until the (batched) stats of <paramref name="widgetId"/> satisfy <paramref name="done"/>.</summary>
    public async Task<JsonNode> StatsWhen(int widgetId, Func<JsonNode, bool> done, string what)
    {
        var row = await Eventually.Returns(() => StatsOf(widgetId), r => r is not null && done(r), GatewayFixture.Patience, what);
        return row!;
    }

    public static void AssertCounters(JsonNode? row, long started, long qrShown, long messagesSent, long timedOut, long cancelled)
    {
        Assert.NotNull(row);
        Assert.Equal(started, row.Long("started"));
        Assert.Equal(qrShown, row.Long("qrShown"));
        Assert.Equal(messagesSent, row.Long("messagesSent"));
        Assert.Equal(timedOut, row.Long("timedOut"));
        Assert.Equal(cancelled, row.Long("cancelled"));
    }
}
