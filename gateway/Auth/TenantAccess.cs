using Microsoft.AspNetCore.Http.HttpResults;
using Widgets.Gateway.Http;

namespace Widgets.Gateway.Auth;

/// <summary>
/// Resolves the location a request names and checks the client may act for it. A location the client is not
/// granted answers exactly like one that does not exist, so ids cannot be probed.
/// </summary>
public static class TenantAccess
{
    public static (LocationKey Location, ProblemHttpResult? Problem) Resolve(HttpContext context, string? posSystemId, string? locationId)
    {
        if (string.IsNullOrEmpty(locationId))
        {
            return (default, Problems.Field("posLocationId", "Required."));
        }

        if (!LocationKey.IsValidId(posSystemId) || !LocationKey.IsValidId(locationId))
        {
            return (default, NotFound());
        }

        var location = LocationKey.Create(posSystemId!, locationId);
        return context.GetApiClient().CanAccess(location) ? (location, null) : (default, NotFound());
    }

    public static ProblemHttpResult NotFound() =>
        Problems.Of(ProblemCodes.LocationNotFound, "No such location for this client; check posSystemId and posLocationId.");
}
