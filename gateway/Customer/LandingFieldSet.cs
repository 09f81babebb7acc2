namespace Widgets.Gateway.Customer;

/// <summary>
/// Which fields a widget type's landing form shows and, therefore, which posted fields it reads: the renderer and
/// the parser both go by this table, so a form never submits what it did not show.
/// </summary>
internal sealed record LandingFieldSet(bool Names, bool Email, bool Phone, bool Consent, bool ConsentRequired, bool Rules, bool Answers)
{
    public static LandingFieldSet For(WidgetType type) => type switch
    {
        WidgetType.LoyaltyEnrollment => new(Names: true, Email: true, Phone: true, Consent: true, ConsentRequired: true, Rules: false, Answers: false),
        WidgetType.PromotionSignup or WidgetType.ContactCollection =>
            new(Names: false, Email: true, Phone: true, Consent: true, ConsentRequired: true, Rules: false, Answers: false),
        WidgetType.CouponDelivery => new(Names: false, Email: true, Phone: false, Consent: true, ConsentRequired: false, Rules: false, Answers: false),
        WidgetType.Survey => new(Names: false, Email: false, Phone: false, Consent: false, ConsentRequired: false, Rules: false, Answers: true),
        WidgetType.ContestEntry => new(Names: false, Email: true, Phone: true, Consent: false, ConsentRequired: false, Rules: true, Answers: false),
        _ => new(false, false, false, false, false, false, false),
    };
}
