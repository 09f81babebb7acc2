namespace Widgets.Gateway.Customer;

/// <summary>
/// The consent wording next to each form's checkbox. The page shows it and posts it back; what is recorded is the
/// text the server showed, so a tampered field cannot change what the customer agreed to.
/// </summary>
internal static class ConsentTexts
{
    public static string? For(WidgetType type) => type switch
    {
        WidgetType.LoyaltyEnrollment =>
            "Yes, sign me up for the rewards program and send me member offers and news by email or text message. "
            + "I can unsubscribe at any time. Message and data rates may apply.",
        WidgetType.PromotionSignup =>
            "Yes, send me promotions and offers by email or text message. I can unsubscribe at any time. Message and data rates may apply.",
        WidgetType.ContactCollection =>
            "Yes, send me receipts and store news at the email address and/or mobile number above. "
            + "I can unsubscribe at any time. Message and data rates may apply.",
        WidgetType.CouponDelivery => "Also email me future offers. I can unsubscribe at any time.",
        _ => null,
    };
}
