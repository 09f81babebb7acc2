using Widgets.Catalogue;

namespace Widgets.Sessions;

/// <summary>
/// What a session keeps of its widget, as the widget was when the session started: what the screen, the messages and
/// the landing form show. Not the catalogue's bookkeeping (schedule, contexts, status) and never the coupon pool,
/// which the widget's ledger owns (<see cref="IWidgetLedgerGrain"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("Widgets.SessionWidget")]
public sealed record SessionWidget
{
    [Id(0)] public int Id { get; init; }
    [Id(1)] public int Version { get; init; }
    [Id(2)] public string Name { get; init; } = "";
    [Id(3)] public WidgetType Type { get; init; }
    [Id(4)] public IReadOnlyList<WidgetChannel> Channels { get; init; } = [];
    [Id(5)] public int TimeoutSeconds { get; init; }
    [Id(6)] public WidgetContent Content { get; init; } = new();
    [Id(7)] public IReadOnlyList<SurveyQuestion>? SurveyQuestions { get; init; }
    [Id(8)] public string? ContestRules { get; init; }

    public static SessionWidget From(WidgetDefinition widget) => new()
    {
        Id = widget.Id,
        Version = widget.Version,
        Name = widget.Name,
        Type = widget.Type,
        Channels = widget.Channels,
        TimeoutSeconds = widget.TimeoutSeconds,
        Content = widget.Content,
        SurveyQuestions = widget.Settings.SurveyQuestions,
        ContestRules = widget.Settings.ContestRules,
    };

    /// <summary>The widget as the landing page renders it (a definition with only these fields filled).</summary>
    public WidgetDefinition ToDefinition() => new()
    {
        Id = Id,
        Version = Version,
        Name = Name,
        Type = Type,
        Channels = Channels,
        TimeoutSeconds = TimeoutSeconds,
        Content = Content,
        Settings = new WidgetSettings { SurveyQuestions = SurveyQuestions, ContestRules = ContestRules },
    };
}
