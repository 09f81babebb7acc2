using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Widgets.Gateway.Http;

namespace Widgets.Gateway.Auth;

/// <summary>Answers a refused API request with problem+json instead of an empty 401/403.</summary>
public sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler fallback = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        // The console is for people: a refused page redirects to its sign-in form (the cookie scheme's challenge).
        if (result.Succeeded || policy.AuthenticationSchemes.Contains(OperatorConsole.ConsoleAuth.Scheme))
        {
            await fallback.HandleAsync(next, context, policy, result);
            return;
        }

        if (context.Items[BasicClientAuthenticationHandler.RetryAfterItem] is TimeSpan wait)
        {
            await RateLimits.TooMany(context, wait).ExecuteAsync(context);
            return;
        }

        if (context.User.Identity?.IsAuthenticated != true)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer, Basic realm=\"widgets\"";
            await Problems.Of(ProblemCodes.Unauthorized,
                "Send Authorization: Bearer <token> from POST /connect/token; an expired, forged or revoked token is refused.").ExecuteAsync(context);
            return;
        }

        await Problems.Of(ProblemCodes.InsufficientScope, "This token's scope does not allow this endpoint.").ExecuteAsync(context);
    }
}
