using Widgets.Catalogue;
using Widgets.Sessions;

namespace Widgets.Grains.Sessions;

/// <summary>What a landing-page submission must fill, as the widget type's row of <see cref="WidgetTypes"/> says.</summary>
internal static class LandingRules
{
    public static Dictionary<string, string[]> Check(SessionWidget widget, LandingSubmission form)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var asks = WidgetTypes.For(widget.Type).Landing;
        if (asks.FirstNameRequired && string.IsNullOrWhiteSpace(form.FirstName))
        {
            errors["firstName"] = ["Tell us your first name to join."];
        }

        if (asks.ContactRequired)
        {
            RequireContact(!string.IsNullOrEmpty(form.Email) || !string.IsNullOrEmpty(form.Phone), errors);
        }

        if (asks.ConsentRequired)
        {
            RequireConsent(form, errors);
        }

        if (asks.Rules && !form.AcceptRules)
        {
            errors["acceptRules"] = ["Accept the contest rules to enter."];
        }

        if (asks.Answers)
        {
            CheckAnswers(widget.SurveyQuestions ?? [], form.Answers, errors);
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
                SurveyQuestionKind.Rating => int.TryParse(answer, out var r) && r is >= WidgetLimits.MinRating and <= WidgetLimits.MaxRating,
                SurveyQuestionKind.Choice => q.Options?.Contains(answer) == true,
                _ => answer.Length <= WidgetLimits.MaxAnswer,
            };
            if (!valid)
            {
                errors[$"answers.{q.Id}"] = [q.Kind switch
                {
                    SurveyQuestionKind.Rating => $"Pick a rating from {WidgetLimits.MinRating} to {WidgetLimits.MaxRating}.",
                    SurveyQuestionKind.Choice => "Pick one of the options.",
                    _ => $"At most {WidgetLimits.MaxAnswer} characters.",
                }];
            }
        }
    }
}
