using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.IdentityModel.JsonWebTokens;
using Widgets.Clients;
using Widgets.Gateway.Http;

namespace Widgets.Gateway.Auth;

public static class AuthSetup
{
    public const string PosPolicy = "pos";
    public const string AdminPolicy = "admin";
    public const string DashboardPolicy = "dashboard";
    private const string SelectorScheme = "BearerOrBasic";

    public static IServiceCollection AddWidgetsAuth(this IServiceCollection services)
    {
        services.AddMemoryCache();
        services.AddSingleton<SigningKeys>();
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<ApiClientCache>();
        services.AddSingleton<ClientCredentials>();
        services.AddSingleton<SignInLimiter>();
        services.AddSingleton<Admin.ClientRegistry>();
        services.AddSingleton(_ => new CachingTokenHandler(new JsonWebTokenHandler { MapInboundClaims = false }));

        services.AddAuthentication(SelectorScheme)
            .AddPolicyScheme(SelectorScheme, null, o => o.ForwardDefaultSelector = context =>
                // Basic (client id + secret) is for a browser on the dashboard only; APIs take bearer tokens, whose
                // issuer /connect/token is rate limited against secret guessing.
                context.Request.Path.StartsWithSegments("/dashboard")
                && context.Request.Headers.Authorization.ToString().StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)
                    ? BasicClientAuthenticationHandler.SchemeName
                    : JwtBearerDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, BasicClientAuthenticationHandler>(BasicClientAuthenticationHandler.SchemeName, null)
            .AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<SigningKeys, CachingTokenHandler>((o, keys, tokens) =>
            {
                o.MapInboundClaims = false;
                o.TokenHandlers.Clear();
                o.TokenHandlers.Add(tokens);
                o.TokenValidationParameters = AccessTokens.ValidationParameters(keys);
                o.Events = new JwtBearerEvents
                {
                    OnTokenValidated = CheckClientStillExists,
                };
            });

        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(PosPolicy, p => p.RequireAuthenticatedUser().RequireAssertion(c => c.User.HasScope(Scopes.PosIntegration)))
            .AddPolicy(AdminPolicy, p => p.RequireAuthenticatedUser().RequireAssertion(c => c.User.HasScope(Scopes.WidgetsAdmin)))
            .AddPolicy(DashboardPolicy, p => p.RequireAssertion(c => IsLoopbackDevelopment(c) || c.User.HasScope(Scopes.WidgetsAdmin)));
        return services;
    }

    /// <summary>
    /// Puts a route group behind a token with <paramref name="scope"/> and the <see cref="RequestScopeFilter"/>, and
    /// describes both (security requirement, 401/403/503) to OpenAPI.
    /// </summary>
    public static RouteGroupBuilder ForScope(this RouteGroupBuilder group, string scope) => group
        .RequireAuthorization(scope == Scopes.PosIntegration ? PosPolicy : AdminPolicy)
        .AddEndpointFilter<RequestScopeFilter>()
        .RequiresScope(scope)
        .ProducesProblems(ProblemCodes.Unauthorized, ProblemCodes.InsufficientScope, ProblemCodes.Unavailable);

    private static bool IsLoopbackDevelopment(AuthorizationHandlerContext context) =>
        context.Resource is HttpContext http
        && http.RequestServices.GetRequiredService<IHostEnvironment>().IsDevelopment()
        && http.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip);

    private static async Task CheckClientStillExists(TokenValidatedContext context)
    {
        var clientId = context.Principal?.FindFirst(AccessTokens.ClientIdClaim)?.Value;
        var client = clientId is null ? null : await context.HttpContext.RequestServices.GetRequiredService<ApiClientCache>().Get(clientId);
        if (client is null || context.Principal!.FindFirst(AccessTokens.ClientCreatedClaim)?.Value != AccessTokens.Created(client))
        {
            context.Fail("The client of this token was revoked or re-created.");
            return;
        }

        context.HttpContext.SetApiClient(client);
    }
}
