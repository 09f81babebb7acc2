using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Widgets.Gateway.Auth;

/// <summary>Lets an operator open the dashboard in a browser with the admin client's id and secret.</summary>
public sealed class BasicClientAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ClientCredentials credentials,
    SignInLimiter limiter) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Basic";

    /// <summary>Set when the caller's address has used up its wrong attempts: the refusal is a 429 with this wait.</summary>
    public const string RetryAfterItem = "widgets.signin.retryAfter";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (ClientCredentials.FromBasicHeader(Request.Headers.Authorization) is not { } presented)
        {
            return AuthenticateResult.NoResult();
        }

        using var attempt = limiter.TryBegin(Context, out var wait);
        if (attempt is null)
        {
            Context.Items[RetryAfterItem] = wait;
            return AuthenticateResult.Fail("Too many wrong secrets from this address.");
        }

        var client = await credentials.Verify(presented.Id, presented.Secret);
        if (client is null)
        {
            attempt.Failed();
            return AuthenticateResult.Fail("Unknown client or wrong secret.");
        }

        Context.SetApiClient(client);
        var identity = new ClaimsIdentity(
            [new Claim(AccessTokens.ClientIdClaim, client.ClientId), new Claim(AccessTokens.ScopeClaim, string.Join(' ', client.Scopes))],
            SchemeName, AccessTokens.ClientIdClaim, null);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Basic realm=\"widgets\", charset=\"UTF-8\"";
        return base.HandleChallengeAsync(properties);
    }
}
