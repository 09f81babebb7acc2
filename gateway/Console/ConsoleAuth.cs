using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Widgets.Clients;
using Widgets.Gateway.Auth;

namespace Widgets.Gateway.OperatorConsole;

/// <summary>
/// The console's own cookie session: an admin client signs in with its id and secret on a form, and the browser holds
/// an HttpOnly, SameSite=Strict cookie scoped to <c>/console</c> for at most <see cref="Lifetime"/> (absolute: the
/// session is not extended by use). The cookie names only the client; every request re-reads the client (cached
/// for <see cref="ApiClientCache.Freshness"/>), so a revoked or re-created client is signed out at once.
/// </summary>
public static class ConsoleAuth
{
    public const string Scheme = "Console";
    public const string Policy = "console";
    public const string CookieName = "widgets.console";
    public const string SignInPath = "/console/signin";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    private const string ClientIdClaim = "client_id";
    private const string ClientCreatedClaim = "client_created";

    public static IServiceCollection AddConsoleAuth(this IServiceCollection services)
    {
        services.AddAuthentication().AddCookie(Scheme, o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.Path = "/console";
            o.Cookie.HttpOnly = true;
            // Strict: a request another site starts (link, form, image, fetch) carries no session, so the cookie is useless cross-origin.
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = Lifetime;
            o.SlidingExpiration = false;
            o.LoginPath = SignInPath;
            o.AccessDeniedPath = SignInPath;
            o.ReturnUrlParameter = "returnUrl";
            o.Events.OnValidatePrincipal = ValidateClient;
        });
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p
            .AddAuthenticationSchemes(Scheme)
            .RequireAuthenticatedUser()
            .RequireClaim(ClientIdClaim));
        return services;
    }

    /// <summary>Whether <paramref name="client"/> may use the console: it holds <c>widgets_admin</c>.</summary>
    public static bool MayUseConsole(ApiClient client) => client.Scopes.Contains(Scopes.WidgetsAdmin);

    public static ClaimsPrincipal Principal(ApiClient client) => new(new ClaimsIdentity(
        [
            new Claim(ClientIdClaim, client.ClientId),
            new Claim(ClientCreatedClaim, AccessTokens.Created(client)),
        ],
        Scheme,
        ClientIdClaim,
        null));

    /// <summary>Signs the client in: a fresh cookie, valid for <see cref="Lifetime"/> from now, whatever it held before.</summary>
    public static Task SignIn(HttpContext context, ApiClient client) =>
        context.SignInAsync(Scheme, Principal(client), new AuthenticationProperties { IsPersistent = false, AllowRefresh = false });

    public static Task SignOut(HttpContext context) => context.SignOutAsync(Scheme);

    /// <summary>The signed-in client of a console request (set while the cookie is validated).</summary>
    public static ApiClient Client(HttpContext context) => context.GetApiClient();

    private static async Task ValidateClient(CookieValidatePrincipalContext context)
    {
        var clientId = context.Principal?.FindFirst(ClientIdClaim)?.Value;
        var client = clientId is null ? null : await context.HttpContext.RequestServices.GetRequiredService<ApiClientCache>().Get(clientId);
        if (client is null || !MayUseConsole(client) || context.Principal!.FindFirst(ClientCreatedClaim)?.Value != AccessTokens.Created(client))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
            return;
        }

        context.HttpContext.SetApiClient(client);
    }
}
