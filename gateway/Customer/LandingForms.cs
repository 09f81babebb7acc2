using System.Globalization;
using System.Text;

namespace Widgets.Gateway.Customer;

/// <summary>The fields of each widget type's landing form, and the label of its button.</summary>
internal static class LandingForms
{
    private const string EitherContact = "An email address, a mobile number, or both.";

    public static (string Fields, string Button) Render(WidgetDefinition widget, LandingInput input, FormControls c) => widget.Type switch
    {
        WidgetType.LoyaltyEnrollment => (Loyalty(widget, input, c), "Join now"),
        WidgetType.PromotionSignup => (Contact(input, c, "Email", "Mobile number") + Consent(widget, input, c), "Sign me up"),
        WidgetType.ContactCollection => (Contact(input, c, "Email — for receipts & news", "Mobile — for text messages") + Consent(widget, input, c), "Keep me posted"),
        WidgetType.CouponDelivery => (Coupon(widget, input, c), "Reveal my code"),
        WidgetType.Survey => (Survey(widget, input, c), "Send my answers"),
        WidgetType.ContestEntry => (Contest(widget, input, c), "Enter the draw"),
        _ => ("", "Continue"),
    };

    private static string Loyalty(WidgetDefinition widget, LandingInput input, FormControls c) =>
        "<div class=\"row\">"
        + c.Text("firstName", "First name", input.FirstName, "text", "given-name", WidgetLimits.MaxName, required: true)
        + c.Text("lastName", "Last name", input.LastName, "text", "family-name", WidgetLimits.MaxName)
        + "</div>\n"
        + Contact(input, c, "Email", "Mobile number")
        + Consent(widget, input, c);

    private static string Contact(LandingInput input, FormControls c, string emailLabel, string phoneLabel) =>
        c.Text("email", emailLabel, input.Email, "email", "email", WidgetLimits.MaxEmail, inputMode: "email")
        + c.Text("phone", phoneLabel, input.Phone, "tel", "tel", WidgetLimits.MaxPhone, inputMode: "tel")
        + $"<p class=\"hint\">{Html.Encode(EitherContact)}</p>\n";

    private static string Coupon(WidgetDefinition widget, LandingInput input, FormControls c) =>
        c.Text("email", "Email", input.Email, "email", "email", WidgetLimits.MaxEmail, optional: true, inputMode: "email")
        + Consent(widget, input, c);

    private static string Contest(WidgetDefinition widget, LandingInput input, FormControls c)
    {
        var rules = string.IsNullOrWhiteSpace(widget.Settings.ContestRules)
            ? ""
            : $"<div class=\"rules\" role=\"region\" aria-label=\"Contest rules\" tabindex=\"0\">{Html.Encode(widget.Settings.ContestRules)}</div>\n";
        return Contact(input, c, "Email", "Mobile number")
            + rules
            + c.Checkbox("acceptRules", "I have read and accept the contest rules.", input.AcceptRules, required: true);
    }

    private static string Survey(WidgetDefinition widget, LandingInput input, FormControls c)
    {
        var html = new StringBuilder();
        foreach (var q in widget.Settings.SurveyQuestions ?? [])
        {
            var name = $"answers.{q.Id}";
            var answer = input.Answers.GetValueOrDefault(q.Id);
            html.Append(q.Kind switch
            {
                SurveyQuestionKind.Rating => c.Radios(name, q.Text,
                    Enumerable.Range(1, 5).Select(n => (n.ToString(CultureInfo.InvariantCulture), n.ToString(CultureInfo.InvariantCulture))),
                    answer, q.Required, "rating", "<div class=\"scale\" aria-hidden=\"true\"><span>Poor</span><span>Excellent</span></div>"),
                SurveyQuestionKind.Choice => c.Radios(name, q.Text, (q.Options ?? []).Select(o => (o, o)), answer, q.Required, ""),
                _ => c.TextArea(name, q.Text, answer ?? "", WidgetLimits.MaxAnswer, q.Required),
            });
        }

        return html.ToString();
    }

    private static string Consent(WidgetDefinition widget, LandingInput input, FormControls c)
    {
        var rules = WidgetTypes.For(widget.Type);
        if (rules.ConsentIn("en") is not { } text)
        {
            return "";
        }

        return c.Checkbox("consent", text, input.Consent, rules.Landing.ConsentRequired) + FormControls.Hidden("consentText", text);
    }
}
