using Widgets.Catalogue;

namespace Widgets.Grains.Catalogue;

[GenerateSerializer, Alias("Widgets.LocationState")]
public sealed class LocationState
{
    [Id(0)] public Dictionary<int, WidgetDefinition> Widgets { get; set; } = [];
    [Id(1)] public int NextWidgetId { get; set; } = 1;
    [Id(2)] public Dictionary<string, Terminal> Terminals { get; set; } = new(StringComparer.Ordinal);
    [Id(3)] public LocationSettings Settings { get; set; } = new();
}
