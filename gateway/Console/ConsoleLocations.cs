using System.Globalization;
using Widgets.Clients;
using Widgets.Gateway.Auth;

namespace Widgets.Gateway.OperatorConsole;

/// <summary>Which locations the signed-in admin may open, decided exactly as the operator API decides it (<see cref="ApiClient.CanAccess"/>).</summary>
public static class ConsoleLocations
{
    public const int MaxDays = 92;

    /// <summary>The location, when its ids are well formed and the client may manage it; null answers "not found", as the API's 404.</summary>
    public static LocationKey? Resolve(HttpContext context, string? posSystemId, string? locationId)
    {
        if (!LocationKey.IsValidId(posSystemId) || !LocationKey.IsValidId(locationId))
        {
            return null;
        }

        var location = LocationKey.Create(posSystemId!, locationId!);
        return context.GetApiClient().CanAccess(location) ? location : null;
    }

    /// <summary>
    /// The locations to offer: a restricted admin's grants; for an admin of every location, the locations any client
    /// is granted (there is no list of all locations; another one opens by its ids).
    /// </summary>
    public static async Task<IReadOnlyList<LocationKey>> Offered(ApiClient client, IGrainFactory grains)
    {
        if (client.Locations.Count > 0)
        {
            return client.Locations.OrderBy(l => l.ToString(), StringComparer.Ordinal).ToList();
        }

        var ids = await grains.Grain<IClientDirectoryGrain>(GrainKeys.ClientDirectory).List();
        var clients = await Task.WhenAll(ids.Select(id => grains.Grain<IApiClientGrain>(id).Get()));
        return clients.OfType<ApiClient>().SelectMany(c => c.Locations).Distinct().OrderBy(l => l.ToString(), StringComparer.Ordinal).ToList();
    }

    public static string Path(LocationKey location, string page = "") =>
        $"/console/locations/{Uri.EscapeDataString(location.PosSystemId)}/{Uri.EscapeDataString(location.LocationId)}{(page.Length > 0 ? "/" + page : "")}";

    /// <summary>UTC days <paramref name="from"/>–<paramref name="to"/> (default today), at most <see cref="MaxDays"/>; null when unreadable.</summary>
    public static (DateOnly From, DateOnly To)? DayRange(string? from, string? to, TimeProvider clock)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        if (!TryDay(from, today, out var first) || !TryDay(to, today, out var last) || last < first || last.DayNumber - first.DayNumber >= MaxDays)
        {
            return null;
        }

        return (first, last);
    }

    private static bool TryDay(string? value, DateOnly today, out DateOnly day)
    {
        day = today;
        return string.IsNullOrEmpty(value) || DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
    }
}
