using Microsoft.AspNetCore.Http.HttpResults;
using Widgets.Gateway.Auth;

namespace Widgets.Gateway.Http;

/// <summary>A bound request part (body, header, route) that may carry the reason its request is refused.</summary>
public interface IRefusable
{
    ProblemHttpResult? Refusal { get; }
}

/// <summary>
/// A request part that names a location of the route's POS system (in the body, the route or the query). Its
/// <see cref="Location"/> is set by <see cref="RequestScopeFilter"/> once the caller is known to be granted it.
/// </summary>
public interface ILocationScoped
{
    string? PosLocationId { get; }

    /// <summary>The terminal the request acts for, if any: it is counted against the per-terminal limit.</summary>
    string? TerminalId { get; }

    LocationKey Location { get; set; }
}

/// <summary>
/// The one gate in front of every POS and operator handler: answers the first refused request part (in parameter
/// order), resolves the location the request names and checks the caller may act for it (404 otherwise, like a
/// location that does not exist), and applies the per-terminal rate limit. Handlers only see valid, granted requests.
/// </summary>
public sealed class RequestScopeFilter(TerminalRateLimiter terminals) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var arguments = context.Arguments;
        for (var i = 0; i < arguments.Count; i++)
        {
            if (arguments[i] is IRefusable { Refusal: { } refusal })
            {
                return refusal;
            }
        }

        var http = context.HttpContext;
        for (var i = 0; i < arguments.Count; i++)
        {
            if (arguments[i] is not ILocationScoped scoped)
            {
                continue;
            }

            var (location, denied) = TenantAccess.Resolve(http, http.GetRouteValue("posSystemId") as string, scoped.PosLocationId);
            if (denied is not null)
            {
                return denied;
            }

            scoped.Location = location;
            if (scoped.TerminalId is { } terminalId && terminals.Check(http, http.GetApiClient().ClientId, terminalId) is { } limited)
            {
                return limited;
            }
        }

        return await next(context);
    }
}
