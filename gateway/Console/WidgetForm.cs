using System.Globalization;
using Widgets.Gateway.Http;

namespace Widgets.Gateway.OperatorConsole;

/// <summary>
/// The console's widget form as the browser posts it: every field a string (or a checkbox), so no input can fail
/// to bind; <see cref="ToDraft"/> turns it into the <see cref="WidgetDraft"/> the location grain validates (the one
/// home of the widget rules), after naming the fields that are not even numbers or dates.
/// </summary>
public sealed class WidgetForm
{
    /// <summary>How many empty question rows the survey editor offers beyond the existing questions.</summary>
    public const int BlankQuestions = 3;

    public string? Type { get; set; }
    public string? Version { get; set; }
    public string? Name { get; set; }
    public string? Icon { get; set; }
    public string? Description { get; set; }
    public bool Checkout { get; set; }
    public bool Idle { get; set; }
    public bool PostPurchase { get; set; }
    public bool Qr { get; set; }
    public bool Sms { get; set; }
    public bool Email { get; set; }
    public string? TimeoutSeconds { get; set; }
    public string? Status { get; set; }
    public string? StartsAt { get; set; }
    public string? EndsAt { get; set; }
    public string? SortOrder { get; set; }
    public string? Headline { get; set; }
    public string? Body { get; set; }
    public string? SmsText { get; set; }
    public string? EmailSubject { get; set; }
    public string? EmailBody { get; set; }
    public string? CouponCodes { get; set; }
    public string? CouponPrefix { get; set; }
    public string? ContestRules { get; set; }
    public List<QuestionForm> Questions { get; set; } = [];

    public WidgetType? ParsedType => ParseEnum<WidgetType>(Type);

    public static WidgetForm New(WidgetType type) => new()
    {
        Type = JsonName(type),
        Checkout = true,
        Idle = true,
        PostPurchase = true,
        Qr = true,
        Sms = true,
        Email = true,
        Status = JsonName(WidgetStatus.Active),
        SortOrder = "0",
        Questions = [.. Enumerable.Range(0, BlankQuestions).Select(_ => new QuestionForm())],
    };

    public static WidgetForm From(WidgetDefinition widget) => new()
    {
        Type = JsonName(widget.Type),
        Version = widget.Version.ToString(CultureInfo.InvariantCulture),
        Name = widget.Name,
        Icon = widget.Icon,
        Description = widget.Description,
        Checkout = widget.Contexts.Contains(WidgetContext.Checkout),
        Idle = widget.Contexts.Contains(WidgetContext.Idle),
        PostPurchase = widget.Contexts.Contains(WidgetContext.PostPurchase),
        Qr = widget.Channels.Contains(WidgetChannel.Qr),
        Sms = widget.Channels.Contains(WidgetChannel.Sms),
        Email = widget.Channels.Contains(WidgetChannel.Email),
        TimeoutSeconds = widget.TimeoutSeconds.ToString(CultureInfo.InvariantCulture),
        Status = JsonName(widget.Status),
        StartsAt = LocalInput(widget.StartsAt),
        EndsAt = LocalInput(widget.EndsAt),
        SortOrder = widget.SortOrder.ToString(CultureInfo.InvariantCulture),
        Headline = widget.Content.Headline,
        Body = widget.Content.Body,
        SmsText = widget.Content.SmsText,
        EmailSubject = widget.Content.EmailSubject,
        EmailBody = widget.Content.EmailBody,
        CouponCodes = widget.Settings.CouponCodes is { } codes ? string.Join('\n', codes) : null,
        CouponPrefix = widget.Settings.CouponPrefix,
        ContestRules = widget.Settings.ContestRules,
        Questions =
        [
            .. (widget.Settings.SurveyQuestions ?? []).Select(QuestionForm.From),
            .. Enumerable.Range(0, BlankQuestions).Select(_ => new QuestionForm()),
        ],
    };

    /// <summary>The draft the grain validates; null with <paramref name="errors"/> filled when a field cannot be read at all.</summary>
    public WidgetDraft? ToDraft(Dictionary<string, string[]> errors)
    {
        var type = ParsedType;
        if (type is null)
        {
            errors["type"] = ["Choose one of the widget types."];
        }

        var timeout = ParseInt(TimeoutSeconds, "timeoutSeconds", errors);
        var sortOrder = ParseInt(SortOrder, "sortOrder", errors);
        var startsAt = ParseUtc(StartsAt, "startsAt", errors);
        var endsAt = ParseUtc(EndsAt, "endsAt", errors);
        var status = string.IsNullOrEmpty(Status) ? WidgetStatus.Active : ParseEnum<WidgetStatus>(Status);
        if (status is null)
        {
            errors["status"] = ["Active, paused or archived."];
        }

        var rules = type is { } t ? WidgetTypes.For(t) : null;
        var questions = new List<SurveyQuestion>();
        if (rules?.Settings.SurveyQuestions == true)
        {
            for (var i = 0; i < Questions.Count; i++)
            {
                if (Questions[i].ToQuestion(i, questions.Count, errors) is { } question)
                {
                    questions.Add(question);
                }
            }
        }

        if (errors.Count > 0)
        {
            return null;
        }

        WidgetContext[] contexts = [.. Selected((Checkout, WidgetContext.Checkout), (Idle, WidgetContext.Idle), (PostPurchase, WidgetContext.PostPurchase))];
        WidgetChannel[] channels = [.. Selected((Qr, WidgetChannel.Qr), (Sms, WidgetChannel.Sms), (Email, WidgetChannel.Email))];
        return new WidgetDraft
        {
            Name = Name,
            Type = type,
            Icon = Blank(Icon),
            Description = Blank(Description),
            Contexts = contexts,
            Channels = channels,
            TimeoutSeconds = timeout,
            Status = status,
            StartsAt = startsAt,
            EndsAt = endsAt,
            SortOrder = sortOrder,
            Content = new WidgetContent
            {
                Headline = Blank(Headline),
                Body = Blank(Body),
                SmsText = Blank(SmsText),
                EmailSubject = Blank(EmailSubject),
                EmailBody = Blank(EmailBody),
            },
            Settings = new WidgetSettings
            {
                CouponCodes = rules?.Settings.Coupons == true && Lines(CouponCodes) is { Length: > 0 } codes ? codes : null,
                CouponPrefix = rules?.Settings.Coupons == true ? Blank(CouponPrefix) : null,
                SurveyQuestions = rules?.Settings.SurveyQuestions == true ? questions : null,
                ContestRules = rules?.Settings.ContestRules == true ? Blank(ContestRules) : null,
            },
        };
    }

    /// <summary>
    /// The widget as the form describes it now, for the preview only (never stored): what can be read is shown, what
    /// cannot (a question without a kind, an icon that is not https:// or a path here) is left out.
    /// </summary>
    public WidgetDefinition ToPreview(WidgetType type)
    {
        var ignored = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var questions = Questions.Select((q, row) => q.ToQuestion(row, row, ignored)).OfType<SurveyQuestion>().ToList();
        return new WidgetDefinition
        {
            Name = Name?.Trim() ?? "",
            Type = type,
            Icon = Blank(Icon) is { } icon && (icon.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || (icon.StartsWith('/') && !icon.StartsWith("//", StringComparison.Ordinal))) ? icon : null,
            Description = Blank(Description),
            Contexts = [.. Selected((Checkout, WidgetContext.Checkout), (Idle, WidgetContext.Idle), (PostPurchase, WidgetContext.PostPurchase))],
            Content = new WidgetContent { Headline = Blank(Headline), Body = Blank(Body) },
            Settings = new WidgetSettings
            {
                CouponPrefix = Blank(CouponPrefix),
                SurveyQuestions = questions,
                ContestRules = Blank(ContestRules),
            },
        };
    }

    /// <summary>The draft that puts <paramref name="widget"/> back as it is, but for <paramref name="status"/> (pause, resume).</summary>
    public static WidgetDraft WithStatus(WidgetDefinition widget, WidgetStatus status) => new()
    {
        Name = widget.Name,
        Type = widget.Type,
        Icon = widget.Icon,
        Description = widget.Description,
        Contexts = widget.Contexts,
        Channels = widget.Channels,
        TimeoutSeconds = widget.TimeoutSeconds,
        Status = status,
        StartsAt = widget.StartsAt,
        EndsAt = widget.EndsAt,
        SortOrder = widget.SortOrder,
        Content = widget.Content,
        Settings = widget.Settings,
    };

    /// <summary>The camelCase name the API uses for an enum value (<c>couponDelivery</c>).</summary>
    public static string JsonName<T>(T value)
        where T : struct, Enum => EnumNames<T>.Name(value);

    public static T? ParseEnum<T>(string? value)
        where T : struct, Enum => EnumNames<T>.TryParse(value, out var parsed) ? parsed : null;

    /// <summary>A <c>datetime-local</c> input's value, in UTC (the console states it).</summary>
    public static string? LocalInput(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);

    private static int? ParseInt(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (int.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
        {
            return parsed;
        }

        errors[field] = ["A whole number."];
        return null;
    }

    private static DateTimeOffset? ParseUtc(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        string[] formats = ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd"];
        if (DateTime.TryParseExact(value.Trim(), formats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return new DateTimeOffset(parsed, TimeSpan.Zero);
        }

        errors[field] = ["A date and time (UTC), such as 2026-12-24T09:00."];
        return null;
    }

    private static IEnumerable<T> Selected<T>(params (bool On, T Value)[] choices) => choices.Where(c => c.On).Select(c => c.Value);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string[] Lines(string? value) =>
        (value ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>One survey question row of the form; a row left blank is no question.</summary>
public sealed class QuestionForm
{
    public string? Id { get; set; }
    public string? Text { get; set; }
    public string? Kind { get; set; }
    public string? Options { get; set; }
    public bool Required { get; set; }

    public bool IsBlank => string.IsNullOrWhiteSpace(Id) && string.IsNullOrWhiteSpace(Text) && string.IsNullOrWhiteSpace(Options);

    public static QuestionForm From(SurveyQuestion question) => new()
    {
        Id = question.Id,
        Text = question.Text,
        Kind = WidgetForm.JsonName(question.Kind),
        Options = question.Options is { } options ? string.Join(", ", options) : null,
        Required = question.Required,
    };

    /// <summary>The question of row <paramref name="row"/>, which becomes question <paramref name="index"/>; null for a blank row.</summary>
    public SurveyQuestion? ToQuestion(int row, int index, Dictionary<string, string[]> errors)
    {
        if (IsBlank)
        {
            return null;
        }

        var kind = string.IsNullOrEmpty(Kind) ? SurveyQuestionKind.Rating : WidgetForm.ParseEnum<SurveyQuestionKind>(Kind);
        if (kind is null)
        {
            errors[$"questions[{row}].kind"] = ["Rating, choice or text."];
            return null;
        }

        var options = (Options ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new SurveyQuestion
        {
            Id = string.IsNullOrWhiteSpace(Id) ? $"q{index + 1}" : Id.Trim(),
            Text = Text?.Trim() ?? "",
            Kind = kind.Value,
            Options = kind == SurveyQuestionKind.Choice ? options : null,
            Required = Required,
        };
    }
}
