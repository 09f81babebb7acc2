namespace Widgets.Gateway.Admin;

public sealed record TerminalInput(string? Name);

public sealed record LocationSettingsInput(string? Name, string? TimeZone);

public sealed record LocationGrantDto(string? PosSystemId, string? PosLocationId);

public sealed record CreateClientRequest(string? ClientId, IReadOnlyList<string>? Scopes, IReadOnlyList<LocationGrantDto>? Locations);

public sealed record ClientDto(string ClientId, IReadOnlyList<string> Scopes, IReadOnlyList<LocationGrantDto> Locations, DateTimeOffset CreatedAt, string? ClientSecret = null)
{
    public static ClientDto From(Clients.ApiClient c, string? secret = null) =>
        new(c.ClientId, c.Scopes, c.Locations.Select(l => new LocationGrantDto(l.PosSystemId, l.LocationId)).ToList(), c.CreatedAt, secret);
}

public sealed record CounterSet(long Listed, long Started, long QrShown, long MessagesSent, long Scanned, long Converted, long TimedOut, long Cancelled)
{
    public double ConversionRate => Started == 0 ? 0 : Math.Round((double)Converted / Started, 4);

    public static CounterSet From(long[] c) => new(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]);
}

public sealed record TerminalStats(string TerminalId, long Listed, long Started, long QrShown, long MessagesSent, long Scanned, long Converted, long TimedOut, long Cancelled, double ConversionRate);

public sealed record WidgetStats(int WidgetId, string Name, long Listed, long Started, long QrShown, long MessagesSent, long Scanned, long Converted, long TimedOut, long Cancelled, double ConversionRate, IReadOnlyList<TerminalStats> Terminals);

public sealed record StatsResponse(DateOnly From, DateOnly To, IReadOnlyList<WidgetStats> Widgets);
