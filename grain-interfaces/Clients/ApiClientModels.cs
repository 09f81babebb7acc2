using System.Runtime.CompilerServices;
using Widgets.Keys;

namespace Widgets.Clients;

public static class Scopes
{
    public const string PosIntegration = "pos_integration";
    public const string WidgetsAdmin = "widgets_admin";

    public static readonly IReadOnlyList<string> All = [PosIntegration, WidgetsAdmin];
}

/// <summary>An API client as registered: its scopes and the locations it may act for.</summary>
[GenerateSerializer, Immutable, Alias("Widgets.ApiClient")]
public sealed record ApiClient
{
    [Id(0)] public string ClientId { get; init; } = "";
    [Id(1)] public IReadOnlyList<string> Scopes { get; init; } = [];
    [Id(2)] public IReadOnlyList<LocationKey> Locations { get; init; } = [];
    [Id(3)] public DateTimeOffset CreatedAt { get; init; }

    // Every request checks one grant; a client may hold a thousand. The set lives as long as the list it was built
    // from, outside the record, so it takes no part in equality or serialization.
    private static readonly ConditionalWeakTable<IReadOnlyList<LocationKey>, HashSet<LocationKey>> GrantSets = new();

    /// <summary>Admin clients with no listed location manage every location.</summary>
    public bool CanAccess(LocationKey location) =>
        IsGranted(location) || (Locations.Count == 0 && Scopes.Contains(Clients.Scopes.WidgetsAdmin));

    private bool IsGranted(LocationKey location) => Locations.Count <= 8
        ? Locations.Contains(location)
        : GrantSets.GetValue(Locations, static granted => [.. granted]).Contains(location);
}

[GenerateSerializer, Immutable, Alias("Widgets.ApiClientRegistration")]
public sealed record ApiClientRegistration(
    [property: Id(0)] IReadOnlyList<string> Scopes,
    [property: Id(1)] IReadOnlyList<LocationKey> Locations,
    [property: Id(2)] string SecretHash);
