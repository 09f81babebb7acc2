namespace Widgets.Gateway.Pos;

/// <summary>
/// Example requests and answers of the POS surface for the OpenAPI document, in ClearLine's own request shapes
/// (string <c>widgetId</c>, every profile field present, empty strings for what the POS does not know).
/// </summary>
internal static class PosExamples
{
    private const string Session = "4f1c2b9a7d3e4c5f8a6b0c1d2e3f4a5b";
    private const string Base = "https://widgets.example.com";

    private static readonly object Profile = new { firstName = "Ana", lastName = "Lopez", customerEmail = "ana@example.com", customerPhone = "+14155550123", salesPerson = "Sam" };

    public static readonly object List = new { posLocationId = "store-1" };

    public static readonly object ListIdle = new { posLocationId = "store-1", terminalId = "lane-1", context = "idle" };

    public static readonly object ListResponse = new
    {
        data = new[]
        {
            new
            {
                id = 1, name = "Join our loyalty program", icon = $"{Base}/icons/loyalty.svg", description = "Earn points on every visit.",
                type = "loyaltyEnrollment", contexts = new[] { "checkout", "idle" }, channels = new[] { "qr", "sms", "email" }, timeoutSeconds = 45,
            },
        },
    };

    public static readonly object Start = new { posLocationId = "store-1", terminalId = "lane-1", widgetId = "1", couponId = (string?)null };

    public static readonly object StartNumeric = new { posLocationId = "store-1", terminalId = "lane-1", widgetId = 1 };

    public static readonly object StartResponse = new
    {
        data = new
        {
            sessionId = Session,
            qrCodePreviewHtmlLinkUrl = $"{Base}/s/{Session}.1767225600.Xb3…",
            expiresAt = "2026-12-02T20:15:45.000Z",
            timeoutSeconds = 45,
            statusUrl = $"{Base}/v2/pos/demo/widget/sessions/{Session}",
            eventsUrl = $"{Base}/v2/pos/demo/terminals/lane-1/events?posLocationId=store-1",
        },
    };

    public static readonly object ShowQrCode = new { widgetId = "1", sessionId = Session, posLocationId = "store-1", terminalId = "lane-1", profile = Profile, couponId = (string?)null };

    public static readonly object ShowQrCodeResponse = new
    {
        data = new
        {
            qrCodeHtmlLinkUrl = $"{Base}/s/{Session}.1767225600.Xb3…",
            landingUrl = $"{Base}/w/{Session}.1767830400.Qm9…",
            qrCodePngUrl = $"{Base}/s/{Session}.1767225600.Xb3…/qr.png",
            qrCodeSvgUrl = $"{Base}/s/{Session}.1767225600.Xb3…/qr.svg",
            expiresAt = "2026-12-02T20:16:30.000Z",
        },
    };

    public static readonly object SendMessage = ShowQrCode;

    public static readonly object SendSmsWithConsent = new
    {
        widgetId = 1,
        sessionId = Session,
        posLocationId = "store-1",
        terminalId = "lane-1",
        profile = new { firstName = "Ana", lastName = "", customerEmail = "", customerPhone = "+14155550123", salesPerson = "Sam" },
        channel = "sms",
        consent = new { marketing = true, text = "I agree to receive marketing texts from Demo Store. Reply STOP to opt out." },
    };

    public static readonly object SendMessageResponse = new
    {
        data = new
        {
            messages = new[]
            {
                new { messageId = "9a8b7c6d5e4f40312233445566778899", channel = "sms", to = "+1******0123", status = "sent" },
                new { messageId = "0a1b2c3d4e5f46778899aabbccddeeff", channel = "email", to = "a***@example.com", status = "sent" },
            },
        },
    };
}
