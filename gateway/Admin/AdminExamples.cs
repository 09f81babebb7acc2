namespace Widgets.Gateway.Admin;

/// <summary>Example requests of the operator surface for the OpenAPI document.</summary>
internal static class AdminExamples
{
    public static readonly object Widget = new
    {
        name = "Join our loyalty program",
        type = "loyaltyEnrollment",
        icon = "https://cdn.shop.example/icons/loyalty.png",
        description = "Earn a point for every dollar.",
        contexts = new[] { "checkout", "idle" },
        channels = new[] { "qr", "sms", "email" },
        timeoutSeconds = 45,
        status = "active",
        sortOrder = 1,
        content = new
        {
            headline = "Join Rewards",
            body = "Scan to join in 20 seconds.",
            smsText = "Hi {firstName}, join Rewards here: {url}",
            emailSubject = "Your Rewards invitation",
            emailBody = "Hi {firstName}, finish joining here: {url}",
        },
    };

    public static readonly object Settings = new
    {
        name = "Main Street",
        timeZone = "America/New_York",
        brand = new { name = "Corner Market", logoUrl = "/brand/corner-market.svg", primaryColor = "#0B6E4F", backgroundColor = "#F7F5EF" },
        locale = "es",
        carouselSeconds = 8,
        selfStart = true,
        retentionDays = 365,
    };

    public static readonly object Client = new
    {
        clientId = "acme-pos",
        scopes = new[] { "pos_integration" },
        locations = new[] { new { posSystemId = "acme", posLocationId = "store-12" } },
    };

    public static readonly object EraseByEmail = new { email = "ada@example.com" };

    public static readonly object EraseByBoth = new { email = "ada@example.com", phone = "+14155550123" };

    public static readonly object Erased = new { data = new { erased = new { conversions = 1, sessions = 2, messages = 2, ledgerEntries = 1 } } };
}
