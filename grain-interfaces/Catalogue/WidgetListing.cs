namespace Widgets.Catalogue;

/// <summary>What a POS sees of one widget in the list.</summary>
[GenerateSerializer, Immutable, Alias("Widgets.WidgetSummary")]
public sealed record WidgetSummary(
    [property: Id(0)] int Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string? Icon,
    [property: Id(3)] string? Description,
    [property: Id(4)] WidgetType Type,
    [property: Id(5)] IReadOnlyList<WidgetContext> Contexts,
    [property: Id(6)] IReadOnlyList<WidgetChannel> Channels,
    [property: Id(7)] int TimeoutSeconds);

/// <summary>The widgets live now for one context, with an ETag that changes whenever the list does.</summary>
[GenerateSerializer, Immutable, Alias("Widgets.WidgetListing")]
public sealed record WidgetListing([property: Id(0)] string ETag, [property: Id(1)] IReadOnlyList<WidgetSummary> Widgets);
