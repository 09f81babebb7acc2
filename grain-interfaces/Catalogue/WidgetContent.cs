namespace Widgets.Catalogue;

/// <summary>The texts a widget shows on the screen and the landing page and sends in messages.</summary>
[GenerateSerializer, Immutable, Alias("Widgets.WidgetContent")]
public sealed record WidgetContent
{
    [Id(0)] public string? Headline { get; init; }
    [Id(1)] public string? Body { get; init; }
    [Id(2)] public string? SmsText { get; init; }
    [Id(3)] public string? EmailSubject { get; init; }
    [Id(4)] public string? EmailBody { get; init; }
}

[GenerateSerializer, Immutable, Alias("Widgets.SurveyQuestion")]
public sealed record SurveyQuestion
{
    [Id(0)] public string Id { get; init; } = "";
    [Id(1)] public string Text { get; init; } = "";
    [Id(2)] public SurveyQuestionKind Kind { get; init; }
    [Id(3)] public IReadOnlyList<string>? Options { get; init; }
    [Id(4)] public bool Required { get; init; }
}

/// <summary>Settings that only some widget types read.</summary>
[GenerateSerializer, Immutable, Alias("Widgets.WidgetSettings")]
public sealed record WidgetSettings
{
    /// <summary>couponDelivery: a pool of codes handed out once each, in order.</summary>
    [Id(0)] public IReadOnlyList<string>? CouponCodes { get; init; }

    /// <summary>couponDelivery: when there is no pool, codes are generated with this prefix.</summary>
    [Id(1)] public string? CouponPrefix { get; init; }

    [Id(2)] public IReadOnlyList<SurveyQuestion>? SurveyQuestions { get; init; }

    [Id(3)] public string? ContestRules { get; init; }
}
