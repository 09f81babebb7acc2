namespace Widgets.Gateway.Demo;

/// <summary>
/// One widget of each type, spread over the three contexts, as a merchant might configure them; their icons are the
/// gateway's own (<see cref="Screen.ScreenAssets.DemoIcons"/>, served at /icons/demo/{name}.svg).
/// </summary>
internal static class DemoCatalogue
{
    public static IReadOnlyList<WidgetDraft> Widgets { get; } =
    [
        new()
        {
            Name = "Join our loyalty program", Icon = "/icons/demo/loyalty.svg", Type = WidgetType.LoyaltyEnrollment, Contexts = [WidgetContext.Checkout, WidgetContext.Idle],
            Description = "Earn a point for every dollar.", SortOrder = 1,
            Content = new() { Headline = "Join Rewards — earn on every visit", Body = "Sign up in 20 seconds and get 100 welcome points.", SmsText = "Hi {firstName}, join Rewards here: {url}", EmailSubject = "Join our Rewards program", EmailBody = "Hi {firstName}, tap the link to join and get 100 welcome points." },
        },
        new()
        {
            Name = "Get 10% off your next visit", Icon = "/icons/demo/coupon.svg", Type = WidgetType.CouponDelivery, Contexts = [WidgetContext.PostPurchase], SortOrder = 2,
            Description = "A one-time coupon code.",
            Content = new() { Headline = "Scan for 10% off next time", Body = "Your personal code works once, in store or online.", SmsText = "Your 10% coupon: {url}", EmailSubject = "Your 10% coupon" },
            Settings = new() { CouponPrefix = "SAVE10" },
        },
        new()
        {
            Name = "Weekend deals", Icon = "/icons/demo/promotion.svg", Type = WidgetType.PromotionSignup, Contexts = [WidgetContext.Idle], SortOrder = 3,
            Description = "Be first to hear about weekend offers.",
            Content = new() { Headline = "Get our weekend deals first", Body = "One message a week, unsubscribe any time." },
        },
        new()
        {
            Name = "Digital receipts & news", Icon = "/icons/demo/contact.svg", Type = WidgetType.ContactCollection, Contexts = [WidgetContext.Checkout], SortOrder = 4,
            Description = "Receipts and news by email or SMS.",
            Content = new() { Headline = "Go paperless", Body = "Get receipts and store news by email or text." },
        },
        new()
        {
            Name = "How did we do?", Icon = "/icons/demo/survey.svg", Type = WidgetType.Survey, Contexts = [WidgetContext.PostPurchase], SortOrder = 5,
            Description = "Three quick questions.",
            Content = new() { Headline = "Tell us how we did", Body = "Three questions, thirty seconds." },
            Settings = new()
            {
                SurveyQuestions =
                [
                    new() { Id = "overall", Text = "How was your visit today?", Kind = SurveyQuestionKind.Rating, Required = true },
                    new() { Id = "found", Text = "Did you find everything you needed?", Kind = SurveyQuestionKind.Choice, Options = ["Yes", "Mostly", "No"], Required = true },
                    new() { Id = "comment", Text = "Anything we could do better?", Kind = SurveyQuestionKind.Text },
                ],
            },
        },
        new()
        {
            Name = "Win a $100 gift card", Icon = "/icons/demo/contest.svg", Type = WidgetType.ContestEntry, Contexts = [WidgetContext.Idle, WidgetContext.Checkout], SortOrder = 6,
            Description = "Monthly draw, one entry per person.",
            Content = new() { Headline = "Enter to win a $100 gift card", Body = "Drawn on the first of every month." },
            Settings = new() { ContestRules = "No purchase necessary. One entry per person per month. Winner drawn at random on the first day of each month and contacted by email or SMS." },
        },
    ];
}
