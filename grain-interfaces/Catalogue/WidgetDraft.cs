using System.ComponentModel.DataAnnotations;

namespace Widgets.Catalogue;

/// <summary>A widget as an operator submits it; the location grain validates it before it enters the catalogue.</summary>
[GenerateSerializer, Immutable, Alias("Widgets.WidgetDraft")]
public sealed record WidgetDraft
{
    [Id(0), Required] public string? Name { get; init; }
    [Id(1), Required] public WidgetType? Type { get; init; }
    [Id(2)] public string? Icon { get; init; }
    [Id(3)] public string? Description { get; init; }
    [Id(4)] public IReadOnlyList<WidgetContext>? Contexts { get; init; }
    [Id(5)] public IReadOnlyList<WidgetChannel>? Channels { get; init; }
    [Id(6)] public int? TimeoutSeconds { get; init; }
    [Id(7)] public WidgetStatus? Status { get; init; }
    [Id(8)] public DateTimeOffset? StartsAt { get; init; }
    [Id(9)] public DateTimeOffset? EndsAt { get; init; }
    [Id(10)] public int? SortOrder { get; init; }
    [Id(11)] public WidgetContent? Content { get; init; }
    [Id(12)] public WidgetSettings? Settings { get; init; }
}
