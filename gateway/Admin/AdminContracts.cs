using System.ComponentModel.DataAnnotations;
using Widgets.Analytics;
using Widgets.Gateway.Http;

namespace Widgets.Gateway.Admin;

/// <summary>The body of PUT …/terminals/{terminalId}: a display name for the lane.</summary>
public sealed record TerminalInput(string? Name) : IValidatable
{
    public void Validate(FieldErrors errors) => FieldRules.Text(Name, "name", 100, errors);
}

public sealed record LocationGrantDto(string? PosSystemId, string? PosLocationId);

/// <summary>The body of POST /v2/admin/clients.</summary>
public sealed record CreateClientRequest([property: Required] string? ClientId, [property: Required] IReadOnlyList<string>? Scopes, IReadOnlyList<LocationGrantDto>? Locations) : IValidatable
{
    public const int MaxLocations = 1000;

    public void Validate(FieldErrors errors)
    {
        if (!LocationKey.IsValidId(ClientId))
        {
            errors.Add("clientId", $"Required: {FieldRules.IdRule}");
        }

        var scopes = Scopes ?? [];
        if (scopes.Count == 0 || scopes.Any(s => !Clients.Scopes.All.Contains(s)))
        {
            errors.Add("scopes", $"Name one or more of: {string.Join(", ", Clients.Scopes.All)}.");
        }

        var locations = Locations ?? [];
        for (var i = 0; i < locations.Count; i++)
        {
            if (locations[i] is not { } grant || !LocationKey.IsValidId(grant.PosSystemId) || !LocationKey.IsValidId(grant.PosLocationId))
            {
                errors.Add($"locations[{i}]", $"Needs posSystemId and posLocationId ({FieldRules.IdRule})");
            }
        }

        if (locations.Count > MaxLocations)
        {
            errors.Add("locations", $"At most {MaxLocations} locations per client.");
        }
        else if (scopes.Contains(Clients.Scopes.PosIntegration) && locations.Count == 0)
        {
            errors.Add("locations", "A pos_integration client must be granted at least one location.");
        }
    }

    /// <summary>The registration to store, once <see cref="Validate"/> accepted the body.</summary>
    public Clients.ApiClientRegistration ToRegistration(string secretHash) =>
        new(Scopes ?? [], (Locations ?? []).Select(l => LocationKey.Create(l.PosSystemId!, l.PosLocationId!)).ToList(), secretHash);
}

public sealed record ClientDto(string ClientId, IReadOnlyList<string> Scopes, IReadOnlyList<LocationGrantDto> Locations, DateTimeOffset CreatedAt, string? ClientSecret = null)
{
    public static ClientDto From(Clients.ApiClient c, string? secret = null) =>
        new(c.ClientId, c.Scopes, c.Locations.Select(l => new LocationGrantDto(l.PosSystemId, l.LocationId)).ToList(), c.CreatedAt, secret);
}

public sealed record CounterSet(long Listed, long Started, long QrShown, long MessagesSent, long MessagesUnknown, long Scanned, long Converted, long TimedOut, long Cancelled)
{
    public double ConversionRate => Started == 0 ? 0 : Math.Round((double)Converted / Started, 4);

    /// <summary>The counters of <see cref="WidgetCounter"/> values, indexed by them.</summary>
    public static CounterSet From(long[] c) => new(
        c[(int)WidgetCounter.Listed], c[(int)WidgetCounter.Started], c[(int)WidgetCounter.QrShown], c[(int)WidgetCounter.MessagesSent],
        c[(int)WidgetCounter.MessagesUnknown], c[(int)WidgetCounter.Scanned], c[(int)WidgetCounter.Converted], c[(int)WidgetCounter.TimedOut],
        c[(int)WidgetCounter.Cancelled]);
}

public sealed record TerminalStats(string TerminalId, long Listed, long Started, long QrShown, long MessagesSent, long MessagesUnknown, long Scanned, long Converted, long TimedOut, long Cancelled, double ConversionRate);

public sealed record WidgetStats(int WidgetId, string Name, long Listed, long Started, long QrShown, long MessagesSent, long MessagesUnknown, long Scanned, long Converted, long TimedOut, long Cancelled, double ConversionRate, IReadOnlyList<TerminalStats> Terminals);

public sealed record StatsResponse(DateOnly From, DateOnly To, IReadOnlyList<WidgetStats> Widgets);
