namespace Widgets.Catalogue;

public enum WidgetType
{
    LoyaltyEnrollment,
    PromotionSignup,
    ContactCollection,
    CouponDelivery,
    Survey,
    ContestEntry,
}

public enum WidgetContext
{
    Checkout,
    Idle,
    PostPurchase,
}

public enum WidgetChannel
{
    Qr,
    Sms,
    Email,
}

public enum WidgetStatus
{
    Active,
    Paused,
    Archived,
}

public enum SurveyQuestionKind
{
    Rating,
    Choice,
    Text,
}
