namespace Widgets.Catalogue;

/// <summary>A POS lane registered at a location; sessions can only start on registered terminals.</summary>
[GenerateSerializer, Immutable, Alias("Widgets.Terminal")]
public sealed record Terminal
{
    [Id(0)] public string TerminalId { get; init; } = "";
    [Id(1)] public string? Name { get; init; }
    [Id(2)] public DateTimeOffset RegisteredAt { get; init; }
    [Id(3)] public string? ActiveSessionId { get; init; }
}
