using Widgets.Gateway.Auth;

namespace Widgets.Gateway.Admin;

internal static class AdminScope
{
    /// <summary>The location of an operator route, if this admin client may manage it.</summary>
    public static (ILocationGrain? Grain, LocationKey Location, IResult? Problem) Location(HttpContext context, IGrainFactory grains, string posSystemId, string posLocationId)
    {
        var (location, problem) = TenantAccess.Resolve(context, posSystemId, posLocationId);
        return problem is null ? (grains.Grain<ILocationGrain>(location.ToString()), location, null) : (null, default, problem);
    }

    public static string ETag(WidgetDefinition widget) => $"\"v{widget.Version}\"";
}
