using System.Text.RegularExpressions;
using Widgets.Catalogue;

namespace Widgets.Grains.Catalogue;

/// <summary>Turns an operator's draft into a catalogue entry, or names every field that is wrong.</summary>
internal static partial class WidgetValidator
{
    private const int MaxShortText = WidgetLimits.MaxShortText;
    private const int MaxLongText = WidgetLimits.MaxLongText;
    private const int MaxSmsText = WidgetLimits.MaxSmsText;
    private const int MaxCoupons = WidgetLimits.MaxCoupons;
    private const int MaxQuestions = WidgetLimits.MaxQuestions;

    public static (WidgetDefinition? Widget, Dictionary<string, string[]> Errors) Validate(
        WidgetDraft draft, int id, int version, DateTimeOffset now, SessionOptions options)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Fail(string field, string message) => errors[field] = [message];

        if (string.IsNullOrWhiteSpace(draft.Name) || draft.Name.Length > MaxShortText)
        {
            Fail("name", $"Required, 1–{MaxShortText} characters.");
        }

        if (draft.Type is null)
        {
            Fail("type", "Required: loyaltyEnrollment, promotionSignup, contactCollection, couponDelivery, survey or contestEntry.");
        }

        if (draft.Icon is { } icon && (icon.Length > WidgetLimits.MaxIconUrl || !IsIconUrl(icon)))
        {
            Fail("icon", $"Must be a well-formed absolute http(s) URL, or a path on this service such as /icons/loyalty.svg, of at most {WidgetLimits.MaxIconUrl} characters.");
        }

        CheckLength(draft.Description, "description", MaxLongText, errors);
        var timeout = draft.TimeoutSeconds ?? options.DefaultTimeoutSeconds;
        if (timeout < options.MinTimeoutSeconds || timeout > options.MaxTimeoutSeconds)
        {
            Fail("timeoutSeconds", $"Must be between {options.MinTimeoutSeconds} and {options.MaxTimeoutSeconds}.");
        }

        if (draft.StartsAt is { } starts && draft.EndsAt is { } ends && ends <= starts)
        {
            Fail("endsAt", "Must be after startsAt.");
        }

        if (draft.Contexts is { Count: 0 })
        {
            Fail("contexts", "Name at least one context, or omit the field for all of them.");
        }

        if (draft.Channels is { Count: 0 })
        {
            Fail("channels", "Name at least one channel, or omit the field for all of them.");
        }

        var content = draft.Content ?? new WidgetContent();
        CheckLength(content.Headline, "content.headline", MaxShortText, errors);
        CheckLength(content.Body, "content.body", MaxLongText, errors);
        CheckLength(content.SmsText, "content.smsText", MaxSmsText, errors);
        CheckLength(content.EmailSubject, "content.emailSubject", MaxShortText, errors);
        CheckLength(content.EmailBody, "content.emailBody", MaxLongText, errors);

        var settings = draft.Settings ?? new WidgetSettings();
        ValidateSettings(draft.Type, settings, errors);

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (new WidgetDefinition
        {
            Id = id,
            Name = draft.Name!.Trim(),
            Type = draft.Type!.Value,
            Icon = draft.Icon,
            Description = draft.Description,
            Contexts = (draft.Contexts ?? Enum.GetValues<WidgetContext>()).Distinct().ToArray(),
            Channels = (draft.Channels ?? Enum.GetValues<WidgetChannel>()).Distinct().ToArray(),
            TimeoutSeconds = timeout,
            Status = draft.Status ?? WidgetStatus.Active,
            StartsAt = draft.StartsAt,
            EndsAt = draft.EndsAt,
            SortOrder = draft.SortOrder ?? 0,
            Content = content,
            Settings = Detached(settings),
            Version = version,
            UpdatedAt = now,
        }, errors);
    }

    /// <summary>
    /// Copies every list into a plain array: grain state is stored as JSON with type names, and a list built by a
    /// collection expression has a compiler-generated type the storage serializer refuses to read back.
    /// </summary>
    private static WidgetSettings Detached(WidgetSettings settings) => settings with
    {
        CouponCodes = settings.CouponCodes?.ToArray(),
        SurveyQuestions = settings.SurveyQuestions?.Select(q => q with { Options = q.Options?.ToArray() }).ToArray(),
    };

    private static void ValidateSettings(WidgetType? type, WidgetSettings settings, Dictionary<string, string[]> errors)
    {
        if (settings.CouponCodes is { } codes)
        {
            if (codes.Count > MaxCoupons || codes.Any(c => string.IsNullOrWhiteSpace(c) || c.Length > WidgetLimits.MaxCouponCode))
            {
                errors["settings.couponCodes"] = [$"At most {MaxCoupons} codes of 1–{WidgetLimits.MaxCouponCode} characters."];
            }
            else if (codes.Distinct(StringComparer.Ordinal).Count() != codes.Count)
            {
                errors["settings.couponCodes"] = ["Codes must be unique."];
            }
        }

        if (settings.CouponPrefix is { } prefix && !CouponPrefix().IsMatch(prefix))
        {
            errors["settings.couponPrefix"] = [$"1–{WidgetLimits.MaxCouponPrefix} letters, digits or dashes."];
        }

        var uses = type is { } t ? WidgetTypes.For(t).Settings : new TypeSettings();
        if (uses.Coupons && settings.CouponCodes is not { Count: > 0 } && settings.CouponPrefix is null)
        {
            errors["settings"] = [$"A {type} widget needs couponCodes or a couponPrefix."];
        }

        CheckLength(settings.ContestRules, "settings.contestRules", MaxLongText, errors);
        var questions = settings.SurveyQuestions ?? [];
        if (uses.SurveyQuestions && questions.Count == 0)
        {
            errors["settings.surveyQuestions"] = ["A survey needs at least one question."];
        }

        if (questions.Count > MaxQuestions)
        {
            errors["settings.surveyQuestions"] = [$"At most {MaxQuestions} questions."];
        }

        for (var i = 0; i < questions.Count; i++)
        {
            if (questions[i] is not { } q)
            {
                errors[$"settings.surveyQuestions[{i}]"] = ["A question, not null."];
                continue;
            }

            if (!QuestionId().IsMatch(q.Id ?? "") || questions.Count(o => o?.Id == q.Id) > 1)
            {
                errors[$"settings.surveyQuestions[{i}].id"] = ["Unique, 1–32 letters, digits, dashes or underscores."];
            }

            if (string.IsNullOrWhiteSpace(q.Text) || q.Text.Length > MaxShortText)
            {
                errors[$"settings.surveyQuestions[{i}].text"] = [$"Required, 1–{MaxShortText} characters."];
            }

            if (q.Kind == SurveyQuestionKind.Choice
                && (q.Options is not { Count: >= WidgetLimits.MinChoiceOptions and <= WidgetLimits.MaxChoiceOptions }
                    || q.Options.Any(o => string.IsNullOrWhiteSpace(o) || o.Length > WidgetLimits.MaxChoiceOption)))
            {
                errors[$"settings.surveyQuestions[{i}].options"] =
                    [$"A choice question needs {WidgetLimits.MinChoiceOptions}–{WidgetLimits.MaxChoiceOptions} options of 1–{WidgetLimits.MaxChoiceOption} characters."];
            }
        }
    }

    private static void CheckLength(string? value, string field, int max, Dictionary<string, string[]> errors)
    {
        if (value is not null && value.Length > max)
        {
            errors[field] = [$"At most {max} characters."];
        }
    }

    /// <summary>
    /// An icon is echoed into pages and lists as it is stored, so only a well-formed URL is taken (no quote, angle
    /// bracket or space that could break out of an attribute), absolute http(s) or a path on this service.
    /// </summary>
    private static bool IsIconUrl(string value) =>
        IconPath().IsMatch(value)
        || (Uri.IsWellFormedUriString(value, UriKind.Absolute) && Uri.TryCreate(value, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) && !value.Any(c => c is '"' or '\'' or '<' or '>' or '`' || char.IsWhiteSpace(c)));

    // \z, not $: $ also matches before a final newline.
    // {1,16}: WidgetLimits.MaxCouponPrefix; {1,32}: WidgetLimits.MaxQuestionId (a generated pattern takes only a literal).
    [GeneratedRegex(@"\A[A-Za-z0-9-]{1,16}\z")]
    private static partial Regex CouponPrefix();

    [GeneratedRegex(@"\A[A-Za-z0-9_-]{1,32}\z")]
    private static partial Regex QuestionId();

    // Not "//host/…", which a browser reads as another site.
    [GeneratedRegex(@"\A/[A-Za-z0-9._-][A-Za-z0-9._/-]{0,199}\z")]
    private static partial Regex IconPath();
}
