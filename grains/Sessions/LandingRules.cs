using Widgets.Catalogue;
using Widgets.Sessions;

namespace Widgets.Grains.Sessions;

/// <summary>What each widget type requires of a landing-page submission.</summary>
internal static class LandingRules
{
    private const int MaxAnswer = 1000;

    public static Dictionary<string, string[]> Check(SessionWidget widget, LandingSubmission form)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var hasContact = !string.IsNullOrEmpty(form.Email) || !string.IsNullOrEmpty(form.Phone);
        switch (widget.Type)
        {
            case WidgetType.LoyaltyEnrollment:
                if (string.IsNullOrWhiteSpace(form.FirstName))
                {
                    errors["firstName"] = ["Tell us your first name to join."];
                }

                RequireContact(hasContact, errors);
                RequireConsent(form, errors);
                break;
            case WidgetType.PromotionSignup:
            case WidgetType.ContactCollection:
                RequireContact(hasContact, errors);
                RequireConsent(form, errors);
                break;
            case WidgetType.ContestEntry:
                RequireContact(hasContact, errors);
                if (!form.AcceptRules)
                {
                    errors["acceptRules"] = ["Accept the contest rules to enter."];
                }

                break;
            case WidgetType.Survey:
                CheckAnswers(widget.SurveyQuestions ?? [], form.Answers, errors);
                break;
            case WidgetType.CouponDelivery:
                break;
        }

        return errors;
    }

    private static void RequireContact(bool hasContact, Dictionary<string, string[]> errors)
    {
        if (!hasContact)
        {
            errors["email"] = ["Enter an email address or a mobile number."];
        }
    }

    private static void RequireConsent(LandingSubmission form, Dictionary<string, string[]> errors)
    {
        if (!form.Consent)
        {
            errors["consent"] = ["Tick the box to agree to hear from us."];
        }
    }

    private static void CheckAnswers(IReadOnlyList<SurveyQuestion> questions, IReadOnlyDictionary<string, string> answers, Dictionary<string, string[]> errors)
    {
        foreach (var key in answers.Keys.Where(k => questions.All(q => q.Id != k)))
        {
            errors[$"answers.{key}"] = ["Not a question of this survey."];
        }

        foreach (var q in questions)
        {
            var answer = answers.GetValueOrDefault(q.Id);
            if (string.IsNullOrWhiteSpace(answer))
            {
                if (q.Required)
                {
                    errors[$"answers.{q.Id}"] = ["Please answer this question."];
                }

                continue;
            }

            var valid = q.Kind switch
            {
                SurveyQuestionKind.Rating => int.TryParse(answer, out var r) && r is >= 1 and <= 5,
                SurveyQuestionKind.Choice => q.Options?.Contains(answer) == true,
                _ => answer.Length <= MaxAnswer,
            };
            if (!valid)
            {
                errors[$"answers.{q.Id}"] = [q.Kind switch
                {
                    SurveyQuestionKind.Rating => "Pick a rating from 1 to 5.",
                    SurveyQuestionKind.Choice => "Pick one of the options.",
                    _ => $"At most {MaxAnswer} characters.",
                }];
            }
        }
    }
}
