namespace Widgets.Catalogue;

/// <summary>A widget in a location's catalogue. <see cref="Version"/> backs the ETag operators send in If-Match.</summary>
[GenerateSerializer, Immutable, Alias("Widgets.WidgetDefinition")]
public sealed record WidgetDefinition
{
    [Id(0)] public int Id { get; init; }
    [Id(1)] public string Name { get; init; } = "";
    [Id(2)] public WidgetType Type { get; init; }
    [Id(3)] public string? Icon { get; init; }
    [Id(4)] public string? Description { get; init; }
    [Id(5)] public IReadOnlyList<WidgetContext> Contexts { get; init; } = [];
    [Id(6)] public IReadOnlyList<WidgetChannel> Channels { get; init; } = [];
    [Id(7)] public int TimeoutSeconds { get; init; }
    [Id(8)] public WidgetStatus Status { get; init; }
    [Id(9)] public DateTimeOffset? StartsAt { get; init; }
    [Id(10)] public DateTimeOffset? EndsAt { get; init; }
    [Id(11)] public int SortOrder { get; init; }
    [Id(12)] public WidgetContent Content { get; init; } = new();
    [Id(13)] public WidgetSettings Settings { get; init; } = new();
    [Id(14)] public int Version { get; init; }
    [Id(15)] public DateTimeOffset UpdatedAt { get; init; }

    public bool IsLiveAt(DateTimeOffset now) =>
        Status == WidgetStatus.Active && (StartsAt is null || StartsAt <= now) && (EndsAt is null || now < EndsAt);
}
