using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Customer;

/// <summary>
/// The mobile landing page as a phone submits it (a plain urlencoded form post of the fields the page renders):
/// each widget type's submission is a conversion the operator sees in the stats and in the conversions list.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed partial class LandingConversionTests(GatewayFixture gateway)
{
    private const string LoyaltyConsent = "Yes, sign me up for the rewards program and send me member offers and news by email or text message. "
        + "I can unsubscribe at any time. Message and data rates may apply.";

    [Fact]
    public async Task Loyalty_enrollment_submission_is_a_conversion_with_the_contact_and_the_consent_shown()
    {
        var (phone, shown, html) = await OpenLanding("loyaltyEnrollment");
        var form = HtmlForm.Single(html);
        Assert.Equal("Ada", form.ValueOf("firstName"));
        Assert.Equal(LoyaltyConsent, form.ValueOf("consentText"));

        var thanks = await Submit(phone, shown, form, new()
        {
            ["firstName"] = "Grace",
            ["lastName"] = "Hopper",
            ["email"] = "Grace@Example.com",
            ["phone"] = "(650) 253-0000",
            ["consent"] = "yes",
        });

        Assert.Contains("Welcome to the program, Grace!", CustomerLinks.PageText(thanks));
        var conversion = await ConversionOf(shown);
        Assert.Equal("Grace", conversion.Text("firstName"));
        Assert.Equal("Hopper", conversion.Text("lastName"));
        Assert.Equal("grace@example.com", conversion.Text("email"), ignoreCase: true);
        Assert.Equal("+16502530000", conversion.Text("phone"));
        AssertConsent(conversion, marketing: true, LoyaltyConsent);
    }

    [Fact]
    public async Task Promotion_signup_submission_is_a_conversion_with_the_email_and_consent()
    {
        var (phone, shown, html) = await OpenLanding("promotionSignup");

        var thanks = await Submit(phone, shown, HtmlForm.Single(html), new() { ["email"] = "deals@example.com", ["consent"] = "yes" });

        Assert.Contains("You're on the list!", CustomerLinks.PageText(thanks));
        var conversion = await ConversionOf(shown);
        Assert.Equal("deals@example.com", conversion.Text("email"));
        Assert.Null(conversion["phone"]);
        AssertConsent(conversion, marketing: true, "Yes, send me promotions and offers by email or text message. I can unsubscribe at any time. Message and data rates may apply.");
    }

    [Fact]
    public async Task Contact_collection_submission_is_a_conversion_with_the_phone_in_E164_and_consent()
    {
        var (phone, shown, html) = await OpenLanding("contactCollection");

        var thanks = await Submit(phone, shown, HtmlForm.Single(html), new() { ["phone"] = "650-253-0001", ["consent"] = "yes" });

        Assert.Contains("You're all set", CustomerLinks.PageText(thanks));
        var conversion = await ConversionOf(shown);
        Assert.Equal("+16502530001", conversion.Text("phone"));
        Assert.Null(conversion["email"]);
        AssertConsent(conversion, marketing: true,
            "Yes, send me receipts and store news at the email address and/or mobile number above. I can unsubscribe at any time. Message and data rates may apply.");
    }

    [Fact]
    public async Task Coupon_submission_reveals_a_code_with_the_prefix_and_a_second_submit_shows_the_same_code()
    {
        var (phone, shown, html) = await OpenLanding("couponDelivery");
        var form = HtmlForm.Single(html);

        var thanks = await Submit(phone, shown, form, new() { ["email"] = "coupon@example.com", ["consent"] = "yes" });
        var code = CouponCode(thanks);
        var again = await Submit(phone, shown, form, new() { ["email"] = "coupon@example.com", ["consent"] = "yes" });
        using var reopened = await phone.GetAsync(shown.LandingUrl);

        Assert.Contains("Here's your code", CustomerLinks.PageText(thanks));
        Assert.Matches("^SPRING24-[A-Z2-9]{5,}$", code);
        Assert.Equal(code, CouponCode(again));
        Assert.Contains("This is the code you already revealed.", CustomerLinks.PageText(again));
        Assert.Equal(code, CouponCode(await reopened.Html(HttpStatusCode.OK)));
        var conversion = await ConversionOf(shown);
        Assert.Equal(code, conversion.Text("couponCode"));
        Assert.Equal("coupon@example.com", conversion.Text("email"));
        AssertConsent(conversion, marketing: true, "Also email me future offers. I can unsubscribe at any time.");
    }

    [Fact]
    public async Task Survey_submission_is_a_conversion_with_the_answers()
    {
        var (phone, shown, html) = await OpenLanding("survey");
        var form = HtmlForm.Single(html);
        Assert.Equal(["answers.comment", "answers.found", "answers.overall", "csrf"], form.Names.Order(StringComparer.Ordinal));

        var thanks = await Submit(phone, shown, form, new()
        {
            ["answers.overall"] = "4",
            ["answers.found"] = "Mostly",
            ["answers.comment"] = "Quick checkout & friendly <staff>",
        });

        Assert.Contains("Thanks for your feedback!", CustomerLinks.PageText(thanks));
        var answers = (await ConversionOf(shown))["answers"]!.AsObject();
        Assert.Equal(3, answers.Count);
        Assert.Equal("4", answers.Text("overall"));
        Assert.Equal("Mostly", answers.Text("found"));
        Assert.Equal("Quick checkout & friendly <staff>", answers.Text("comment"));
    }

    [Fact]
    public async Task Contest_entry_submission_is_a_conversion_with_the_contact_after_the_rules_were_shown_and_accepted()
    {
        var (phone, shown, html) = await OpenLanding("contestEntry");
        Assert.Contains(ContestRules, CustomerLinks.PageText(html));

        var thanks = await Submit(phone, shown, HtmlForm.Single(html), new() { ["email"] = "ann@example.com", ["acceptRules"] = "yes" });

        Assert.Contains("You're entered — good luck!", CustomerLinks.PageText(thanks));
        var conversion = await ConversionOf(shown);
        Assert.Equal("ann@example.com", conversion.Text("email"));
        Assert.False(conversion["consent"]?["marketing"]?.GetValue<bool>() ?? false, "A contest entry is no marketing consent.");
    }

    [Fact]
    public async Task Contest_refuses_a_second_entry_by_the_same_contact_from_another_session_with_409_already_entered()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = (await location.CreateWidget(Draft("contestEntry"))).Int("id");
        var annsPhone = gateway.Anonymous();
        var first = await location.ShowQrCode(widgetId, "lane-1");
        await Submit(annsPhone, first, await Form(annsPhone, first), new() { ["email"] = "ann@example.com", ["acceptRules"] = "yes" });
        var secondPhone = gateway.Anonymous();
        var second = await location.ShowQrCode(widgetId, "lane-2");
        var secondForm = await Form(secondPhone, second);

        using var refused = await secondPhone.PostAsync(secondForm.Target(second.LandingUrl),
            secondForm.Submit(new Dictionary<string, string> { ["email"] = " Ann@Example.com ", ["acceptRules"] = "yes" }));

        Assert.Contains("You're already entered", CustomerLinks.PageText(await refused.Html(HttpStatusCode.Conflict)));
        Assert.False((await second.ScreenState(secondPhone))["converted"]!.GetValue<bool>(), "The refused entry converted the second session.");
        var row = await location.StatsWhen(widgetId, r => r.Long("scanned") == 2, "both scans to be counted");
        Assert.Equal(1, row.Long("converted"));
        Assert.Equal(0, row.Terminal("lane-2")!.Long("converted"));

        // Someone else may still enter from the same session: only the duplicate was refused.
        await Submit(secondPhone, second, secondForm, new() { ["email"] = "bob@example.com", ["acceptRules"] = "yes" });
        await location.StatsWhen(widgetId, r => r.Long("converted") == 2, "the second contact's entry to be counted");
        Assert.Equal(["ann@example.com", "bob@example.com"], (await location.Conversions()).Select(c => c.Text("email")).Order(StringComparer.Ordinal));
    }

    private const string ContestRules = "No purchase necessary. One entry per person. Drawn on the first of the month.";

    /// <summary>
    /// A fresh location with one widget of <paramref name="type"/>, its QR shown on lane-1 and the landing page
    /// opened by a phone: an HTTP client that keeps the page's cookies, as a browser does.
    /// </summary>
    private async Task<(HttpClient Phone, ShownQrCode Shown, string Html)> OpenLanding(string type)
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = (await location.CreateWidget(Draft(type))).Int("id");
        var shown = await location.ShowQrCode(widgetId);
        var phone = gateway.Anonymous();
        using var page = await phone.GetAsync(shown.LandingUrl);
        var html = await page.Html(HttpStatusCode.OK);
        Assert.Contains($"Headline of the {type} widget", CustomerLinks.PageText(html));
        return (phone, shown, html);
    }

    private static async Task<HtmlForm> Form(HttpClient customer, ShownQrCode shown)
    {
        using var page = await customer.GetAsync(shown.LandingUrl);
        return HtmlForm.Single(await page.Html(HttpStatusCode.OK));
    }

    /// <summary>Posts the form from the phone that opened it; asserts the 200 thank-you page and returns its markup.</summary>
    private static async Task<string> Submit(HttpClient phone, ShownQrCode shown, HtmlForm form, Dictionary<string, string> typed)
    {
        Assert.Equal("post", form.Method, ignoreCase: true);
        using var response = await phone.PostAsync(form.Target(shown.LandingUrl), form.Submit(typed));
        return await response.Html(HttpStatusCode.OK);
    }

    /// <summary>Waits until the stats count the session's conversion, then returns its one record from the conversions list.</summary>
    private static async Task<JsonNode> ConversionOf(ShownQrCode shown)
    {
        var row = await shown.Location.StatsWhen(shown.WidgetId, r => r.Long("converted") == 1, "the conversion to be counted");
        Assert.Equal(1, row.Long("scanned"));
        Assert.Equal(1, row.Terminal(shown.TerminalId)!.Long("converted"));
        var records = (await shown.Location.Conversions()).Where(c => c!.Text("sessionId") == shown.SessionId).ToList();
        var record = Assert.Single(records)!;
        Assert.Equal(shown.WidgetId, record.Int("widgetId"));
        Assert.Equal(shown.TerminalId, record.Text("terminalId"));
        return record;
    }

    private static void AssertConsent(JsonNode conversion, bool marketing, string text)
    {
        var consent = conversion["consent"];
        Assert.True(consent is not null, $"No consent in {conversion.ToJsonString()}");
        Assert.Equal(marketing, consent["marketing"]!.GetValue<bool>());
        Assert.Equal(text, consent.Text("text"));
        Assert.Equal(DateTimeOffset.UtcNow.Date, consent.Time("at").UtcDateTime.Date);
    }

    private static string CouponCode(string html)
    {
        var match = CodeParagraph().Match(html);
        Assert.True(match.Success, $"No coupon code on the page: {html}");
        return WebUtility.HtmlDecode(match.Groups["code"].Value);
    }

    /// <summary>An operator's widget of <paramref name="type"/>, with the settings that type needs.</summary>
    private static JsonObject Draft(string type)
    {
        var draft = GatewayLocation.Draft($"A {type} offer");
        draft["type"] = type;
        draft["content"]!["headline"] = $"Headline of the {type} widget";
        switch (type)
        {
            case "couponDelivery":
                draft["settings"] = new JsonObject { ["couponPrefix"] = "SPRING24" };
                break;
            case "survey":
                draft["settings"] = new JsonObject
                {
                    ["surveyQuestions"] = new JsonArray(
                        new JsonObject { ["id"] = "overall", ["text"] = "How was your visit?", ["kind"] = "rating", ["required"] = true },
                        new JsonObject { ["id"] = "found", ["text"] = "Did you find everything?", ["kind"] = "choice", ["options"] = new JsonArray("Yes", "Mostly", "No"), ["required"] = true },
                        new JsonObject { ["id"] = "comment", ["text"] = "Anything we could do better?", ["kind"] = "text" }),
                };
                break;
            case "contestEntry":
                draft["settings"] = new JsonObject { ["contestRules"] = ContestRules };
                break;
        }

        return draft;
    }

    [GeneratedRegex("<p class=\"code\"[^>]*>(?<code>[^<]+)</p>")]
    private static partial Regex CodeParagraph();
}
