namespace Widgets.Catalogue;

/// <summary>Settings of a location as a whole; the time zone places SMS quiet hours in the store's local time.</summary>
[GenerateSerializer, Immutable, Alias("Widgets.LocationSettings")]
public sealed record LocationSettings
{
    [Id(0)] public string? Name { get; init; }

    /// <summary>An IANA time zone id such as America/New_York; UTC when unset.</summary>
    [Id(1)] public string TimeZone { get; init; } = "UTC";
}
