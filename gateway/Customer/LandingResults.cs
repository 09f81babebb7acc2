using Widgets.Gateway.Customer.Texts;

namespace Widgets.Gateway.Customer;

/// <summary>What the customer sees after converting, per widget type; also shown when a converted link is opened again.</summary>
internal static class LandingResults
{
    /// <summary>
    /// The thank-you page. <paramref name="firstName"/> is shown only to the person who just typed it: a converted
    /// link opened again (<paramref name="again"/>) greets without a name, since anyone may hold that link.
    /// </summary>
    public static HtmlPage Converted(WidgetType type, string? firstName, string? couponCode, bool again, CustomerTexts texts)
    {
        var r = texts.Results;
        var name = again ? null : firstName;
        var (title, text) = type switch
        {
            WidgetType.LoyaltyEnrollment => (string.IsNullOrWhiteSpace(name) ? r.Welcome : string.Format(System.Globalization.CultureInfo.InvariantCulture, r.WelcomeNamed, name),
                r.WelcomeText),
            WidgetType.PromotionSignup => (r.OnTheList, r.OnTheListText),
            WidgetType.ContactCollection => (r.AllSet, r.AllSetText),
            WidgetType.CouponDelivery => (r.YourCode, r.YourCodeText),
            WidgetType.Survey => (r.FeedbackThanks, r.FeedbackText),
            WidgetType.ContestEntry => (r.Entered, r.EnteredText),
            _ => (r.ThankYou, r.ThankYouText),
        };
        var code = type == WidgetType.CouponDelivery && couponCode is not null
            ? $"<p class=\"code\" aria-label=\"{Html.Encode(r.CodeLabel)}\">{Html.Encode(couponCode)}</p>\n"
            : "";
        var note = again
            ? $"<p class=\"muted\">{Html.Encode(type == WidgetType.CouponDelivery ? r.SameCode : r.AlreadyDone)}</p>"
            : "";
        var body = $"<div class=\"result\">{Icons.Check}<h1>{Html.Encode(title)}</h1>\n{code}<p class=\"lead\">{Html.Encode(text)}</p>{note}</div>";
        return new HtmlPage(StatusCodes.Status200OK, PageKind.Landing, title, PageLayout.Card(body), lang: texts.Lang);
    }

    public static HtmlPage AlreadyEntered(CustomerTexts texts) => PageLayout.Message(StatusCodes.Status409Conflict, PageKind.Landing, Icons.Check,
        texts.Results.AlreadyEnteredTitle, texts.Results.AlreadyEnteredText, texts.Lang);

    public static HtmlPage CouponsExhausted(CustomerTexts texts) => PageLayout.Message(StatusCodes.Status409Conflict, PageKind.Landing, Icons.Alert,
        texts.Results.CouponsGoneTitle, texts.Results.CouponsGoneText, texts.Lang);
}
