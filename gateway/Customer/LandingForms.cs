using System.Globalization;
using System.Text;
using Widgets.Gateway.Customer.Texts;

namespace Widgets.Gateway.Customer;

/// <summary>The fields of each widget type's landing form, and the label of its button, in the location's language.</summary>
internal static class LandingForms
{
    public static (string Fields, string Button) Render(WidgetDefinition widget, LandingInput input, FormControls c, CustomerTexts texts)
    {
        var t = texts.Landing;
        return widget.Type switch
        {
            WidgetType.LoyaltyEnrollment => (Loyalty(widget, input, c, texts), t.JoinNow),
            WidgetType.PromotionSignup => (Contact(input, c, t, t.Email, t.Mobile) + Consent(widget, input, c, texts), t.SignMeUp),
            WidgetType.ContactCollection => (Contact(input, c, t, t.EmailForReceipts, t.MobileForTexts) + Consent(widget, input, c, texts), t.KeepMePosted),
            WidgetType.CouponDelivery => (Coupon(widget, input, c, texts), t.RevealCode),
            WidgetType.Survey => (Survey(widget, input, c, t), t.SendAnswers),
            WidgetType.ContestEntry => (Contest(widget, input, c, t), t.EnterDraw),
            _ => ("", t.Continue),
        };
    }

    private static string Loyalty(WidgetDefinition widget, LandingInput input, FormControls c, CustomerTexts texts) =>
        "<div class=\"row\">"
        + c.Text("firstName", texts.Landing.FirstName, input.FirstName, "text", "given-name", WidgetLimits.MaxName, required: true)
        + c.Text("lastName", texts.Landing.LastName, input.LastName, "text", "family-name", WidgetLimits.MaxName)
        + "</div>\n"
        + Contact(input, c, texts.Landing, texts.Landing.Email, texts.Landing.Mobile)
        + Consent(widget, input, c, texts);

    private static string Contact(LandingInput input, FormControls c, LandingTexts t, string emailLabel, string phoneLabel) =>
        c.Text("email", emailLabel, input.Email, "email", "email", WidgetLimits.MaxEmail, inputMode: "email")
        + c.Text("phone", phoneLabel, input.Phone, "tel", "tel", WidgetLimits.MaxPhone, inputMode: "tel")
        + $"<p class=\"hint\">{Html.Encode(t.EitherContact)}</p>\n";

    private static string Coupon(WidgetDefinition widget, LandingInput input, FormControls c, CustomerTexts texts) =>
        c.Text("email", texts.Landing.Email, input.Email, "email", "email", WidgetLimits.MaxEmail, optional: true, inputMode: "email")
        + Consent(widget, input, c, texts);

    private static string Contest(WidgetDefinition widget, LandingInput input, FormControls c, LandingTexts t)
    {
        var rules = string.IsNullOrWhiteSpace(widget.Settings.ContestRules)
            ? ""
            : $"<div class=\"rules\" role=\"region\" aria-label=\"{Html.Encode(t.ContestRulesLabel)}\" tabindex=\"0\">{Html.Encode(widget.Settings.ContestRules)}</div>\n";
        return Contact(input, c, t, t.Email, t.Mobile)
            + rules
            + c.Checkbox("acceptRules", t.AcceptRules, input.AcceptRules, required: true);
    }

    private static string Survey(WidgetDefinition widget, LandingInput input, FormControls c, LandingTexts t)
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
                    answer, q.Required, "rating", $"<div class=\"scale\" aria-hidden=\"true\"><span>{Html.Encode(t.Poor)}</span><span>{Html.Encode(t.Excellent)}</span></div>"),
                SurveyQuestionKind.Choice => c.Radios(name, q.Text, (q.Options ?? []).Select(o => (o, o)), answer, q.Required, ""),
                _ => c.TextArea(name, q.Text, answer ?? "", WidgetLimits.MaxAnswer, q.Required),
            });
        }

        return html.ToString();
    }

    private static string Consent(WidgetDefinition widget, LandingInput input, FormControls c, CustomerTexts texts)
    {
        var rules = WidgetTypes.For(widget.Type);
        if (rules.ConsentIn(texts.Lang) is not { } text)
        {
            return "";
        }

        return c.Checkbox("consent", text, input.Consent, rules.Landing.ConsentRequired) + FormControls.Hidden("consentText", text);
    }
}
