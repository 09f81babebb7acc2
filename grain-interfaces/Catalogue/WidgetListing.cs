using System.Text.Json.Serialization;

namespace Widgets.Catalogue;

/// <summary>What a POS sees of one widget in the list. ClearLine always sends icon and description, if only as null.</summary>
[GenerateSerializer, Immutable, Alias("Widgets.WidgetSummary")]
public sealed record WidgetSummary(
    [property: Id(0)] int Id,
    [property: Id(1)] string Name,
    [property: Id(2), JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Icon,
    [property: Id(3), JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Description,
    [property: Id(4)] WidgetType Type,
    [property: Id(5)] IReadOnlyList<WidgetContext> Contexts,
    [property: Id(6)] IReadOnlyList<WidgetChannel> Channels,
    [property: Id(7)] int TimeoutSeconds);

/// <summary>The widgets live now for one context, with an ETag that changes whenever the list does.</summary>
[GenerateSerializer, Immutable, Alias("Widgets.WidgetListing")]
public sealed record WidgetListing([property: Id(0)] string ETag, [property: Id(1)] IReadOnlyList<WidgetSummary> Widgets);
