namespace Widgets.Catalogue;

/// <summary>A POS lane registered at a location; sessions can only start on registered terminals.</summary>
[GenerateSerializer, Immutable, Alias("Widgets.Terminal")]
public sealed record Terminal
{
    [Id(0)] public string TerminalId { get; init; } = "";
    [Id(1)] public string? Name { get; init; }
    [Id(2)] public DateTimeOffset RegisteredAt { get; init; }

    /// <summary>
    /// The session the terminal shows now, as its <see cref="Sessions.ITerminalGrain"/> knows it. Locations stored by
    /// earlier builds kept it here; the location fills it from the terminal when asked and stores it no more.
    /// </summary>
    [Id(3)] public string? ActiveSessionId { get; init; }
}
