namespace Widgets.Gateway.Customer;

/// <summary>What the customer sees after converting, per widget type; also shown when a converted link is opened again.</summary>
internal static class LandingResults
{
    public static HtmlPage Converted(WidgetType type, string? firstName, string? couponCode, bool again)
    {
        var (title, text) = type switch
        {
            WidgetType.LoyaltyEnrollment => (string.IsNullOrWhiteSpace(firstName) ? "Welcome to the program!" : $"Welcome to the program, {firstName}!",
                "Your membership is active. Give your email or phone number at checkout to collect rewards."),
            WidgetType.PromotionSignup => ("You're on the list!", "We'll send our best offers your way. You can unsubscribe at any time."),
            WidgetType.ContactCollection => ("You're all set", "We'll send receipts and news to the contact details you gave us."),
            WidgetType.CouponDelivery => ("Here's your code", "Show this code at checkout. It works once."),
            WidgetType.Survey => ("Thanks for your feedback!", "Your answers help us do better."),
            WidgetType.ContestEntry => ("You're entered — good luck!", "We'll contact you if you win."),
            _ => ("Thank you!", "You're all set."),
        };
        var code = type == WidgetType.CouponDelivery && couponCode is not null
            ? $"<p class=\"code\" aria-label=\"Your coupon code\">{Html.Encode(couponCode)}</p>\n"
            : "";
        var note = again
            ? $"<p class=\"muted\">{(type == WidgetType.CouponDelivery ? "This is the code you already revealed." : "You've already done this — nothing more to do.")}</p>"
            : "";
        var body = $"<div class=\"result\">{Icons.Check}<h1>{Html.Encode(title)}</h1>\n{code}<p class=\"lead\">{Html.Encode(text)}</p>{note}</div>";
        return new HtmlPage(StatusCodes.Status200OK, PageKind.Landing, title, PageLayout.Card(body));
    }

    public static HtmlPage AlreadyEntered() => PageLayout.Message(StatusCodes.Status409Conflict, PageKind.Landing, Icons.Check,
        "You're already entered", "We already have an entry from this email or phone number — it's one per person. Good luck!");

    public static HtmlPage CouponsExhausted() => PageLayout.Message(StatusCodes.Status409Conflict, PageKind.Landing, Icons.Alert,
        "All codes have been claimed", "Sorry — every code for this offer is gone. Ask at the counter about today's offers.");
}
