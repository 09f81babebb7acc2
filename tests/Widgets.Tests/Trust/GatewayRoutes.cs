using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;

namespace Widgets.Tests.Trust;

/// <summary>One route of the gateway: a method (<c>*</c> for any) and its route template.</summary>
public sealed record GatewayRoute(string Method, string Template)
{
    public override string ToString() => $"{Method} {Template}";
}

/// <summary>
/// The routes the gateway maps, read from its own endpoint data source rather than from a list a test keeps, and
/// which of them a set of requests reaches. A sweep that must cover every route fails on the first route someone maps
/// without adding it to the sweep.
/// </summary>
public sealed class GatewayRoutes(IEnumerable<RouteEndpoint> endpoints)
{
    private readonly IReadOnlyList<(GatewayRoute Route, TemplateMatcher Matcher)> routes =
    [
        .. endpoints.SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(method =>
            (new GatewayRoute(method, "/" + (e.RoutePattern.RawText ?? e.DisplayName ?? "").TrimStart('/')),
                new TemplateMatcher(new RouteTemplate(e.RoutePattern), new RouteValueDictionary())))),
    ];

    public IEnumerable<GatewayRoute> All => routes.Select(r => r.Route).Distinct();

    /// <summary>The routes in <paramref name="scope"/> that none of <paramref name="requests"/> (method, path) reaches.</summary>
    public IReadOnlyList<GatewayRoute> NotReached(IEnumerable<(string Method, string Path)> requests, Func<GatewayRoute, bool> scope)
    {
        var reached = new HashSet<GatewayRoute>();
        foreach (var (method, path) in requests.Distinct())
        {
            var decoded = new PathString(Decode(path));
            foreach (var (route, matcher) in routes)
            {
                if ((route.Method == "*" || string.Equals(route.Method, method, StringComparison.OrdinalIgnoreCase))
                    && matcher.TryMatch(decoded, new RouteValueDictionary()))
                {
                    reached.Add(route);
                }
            }
        }

        return [.. All.Where(scope).Where(r => !reached.Contains(r)).OrderBy(r => r.Template, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal)];
    }

    /// <summary>The path of a request as Kestrel hands it to routing: escapes decoded, except an escaped slash.</summary>
    public static string Decode(string escapedPath) =>
        Uri.UnescapeDataString(escapedPath.Replace("%2F", "%252F", StringComparison.OrdinalIgnoreCase));
}
