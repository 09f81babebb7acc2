using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Customer;

/// <summary>A session started and its QR code shown over the POS API: the links the POS hands to the screen and the customer.</summary>
public sealed record ShownQrCode(GatewayLocation Location, int WidgetId, string TerminalId, string SessionId, JsonNode Shown)
{
    /// <summary><c>qrCodeHtmlLinkUrl</c>: the customer-facing screen page.</summary>
    public Uri ScreenUrl => new(Shown.Text("qrCodeHtmlLinkUrl"));

    /// <summary><c>landingUrl</c>: what the QR code encodes.</summary>
    public Uri LandingUrl => new(Shown.Text("landingUrl"));

    public Uri PngUrl => new(Shown.Text("qrCodePngUrl"));

    public Uri SvgUrl => new(Shown.Text("qrCodeSvgUrl"));

    /// <summary>The screen page's live state (<c>/s/{token}/state</c>), read directly from the session (not batched).</summary>
    public async Task<JsonNode> ScreenState(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri(ScreenUrl + "/state"));
        return await response.Data();
    }
}

/// <summary>Drives the POS side of the customer pages over HTTP and reads back what the operator sees.</summary>
public static class CustomerLinks
{
    /// <summary>The profile the POS sends with showQrCode unless a test is about the profile.</summary>
    public static readonly JsonObject AdaProfile = Profile("Ada", "Lovelace");

    public static JsonObject Profile(string firstName, string lastName = "", string email = "", string phone = "") => new()
    {
        ["firstName"] = firstName,
        ["lastName"] = lastName,
        ["customerEmail"] = email,
        ["customerPhone"] = phone,
        ["salesPerson"] = "Sam",
    };

    /// <summary>Starts a session of <paramref name="widgetId"/> on <paramref name="terminalId"/> and shows its QR code with <paramref name="profile"/>.</summary>
    public static async Task<ShownQrCode> ShowQrCode(this GatewayLocation location, int widgetId, string terminalId = "lane-1", JsonObject? profile = null)
    {
        var sessionId = (await location.Start(terminalId, widgetId)).Text("sessionId");
        using var response = await location.Pos.PostJson(location.PosRoute("widget/showQrCode"), new JsonObject
        {
            ["widgetId"] = widgetId.ToString(CultureInfo.InvariantCulture),
            ["sessionId"] = sessionId,
            ["posLocationId"] = location.LocationId,
            ["terminalId"] = terminalId,
            ["profile"] = (profile ?? AdaProfile).DeepClone(),
            ["couponId"] = null,
        }, GatewayJson.JsonPatch);
        return new ShownQrCode(location, widgetId, terminalId, sessionId, await response.Data());
    }

    /// <summary>The counters of one terminal inside a widget's stats row, or null while that terminal has none.</summary>
    public static JsonNode? Terminal(this JsonNode widgetRow, string terminalId) =>
        widgetRow["terminals"]!.AsArray().FirstOrDefault(t => t!.Text("terminalId") == terminalId);

    /// <summary>Today's conversions of the location (<c>GET …/conversions</c>).</summary>
    public static async Task<JsonArray> Conversions(this GatewayLocation location)
    {
        using var response = await location.Admin.GetAsync(location.AdminRoute("conversions"));
        return (await response.Data()).AsArray();
    }

    /// <summary>An HTML page: asserts the status and the content type, returns the markup.</summary>
    public static async Task<string> Html(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected,
            $"Expected {(int)expected} from {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}, got {(int)response.StatusCode}: {html}");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        return html;
    }

    /// <summary>The text a reader of the page sees: the body without its markup, character references decoded.</summary>
    public static string PageText(string html)
    {
        var body = html.IndexOf("<body", StringComparison.OrdinalIgnoreCase);
        return WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Replace(body < 0 ? html : html[body..], "<[^>]*>", " "));
    }
}
