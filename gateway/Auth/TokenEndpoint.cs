using Microsoft.AspNetCore.Http.Features;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using Widgets.Gateway.Http;

namespace Widgets.Gateway.Auth;

/// <summary>OAuth2 client credentials, as ClearLine serves it: POST /connect/token.</summary>
public static class TokenEndpoint
{
    public const string Tag = "Authentication";

    public static IEndpointRouteBuilder MapTokenEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapPost("/connect/token", Issue).AllowAnonymous().DisableAntiforgery().RequireRateLimiting(RateLimits.TokenPolicy).WithTags(Tag)
            .WithName("issueToken")
            .WithSummary("Get an access token (OAuth2 client credentials)")
            .WithDescription("Authenticate with HTTP Basic (client id and secret; `client_id`/`client_secret` form fields are accepted too) and ask for "
                + "`scope=pos_integration` or `widgets_admin`. The answer is a plain OAuth2 token response (not wrapped in `data`): a signed JWT valid for an hour.")
            // Described, not enforced by routing: a body of another type gets OAuth2's own invalid_request, not a bare 415.
            .WithMetadata(new FormBodyMetadata(typeof(TokenRequestForm)))
            .WithMetadata(new SecurityMetadata(SecurityMetadata.ClientBasic))
            .WithResponseHeader(200, HeaderNames.CacheControl, "`no-store`: a token is never cached (RFC 6749 §5.1).")
            .ProducesProblems(ProblemCodes.InvalidRequest, ProblemCodes.UnsupportedGrantType, ProblemCodes.InvalidScope, ProblemCodes.InvalidClient,
                ProblemCodes.PayloadTooLarge, ProblemCodes.RateLimited, ProblemCodes.Unavailable)
            .WithRequestExample("clientCredentials", "A POS integration's request", new { grant_type = "client_credentials", scope = "pos_integration" },
                "application/x-www-form-urlencoded");
        return app;
    }

    private static ProblemHttpResult TooLarge(long limit) =>
        Problems.Of(ProblemCodes.PayloadTooLarge, $"Token requests are limited to {limit / 1024} KB; send grant_type=client_credentials&scope=pos_integration.");

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> Issue(HttpRequest request, ClientCredentials credentials, AccessTokens tokens)
    {
        // RFC 6749 §5.1: token responses, and errors with them, must not be cached.
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        request.HttpContext.Response.Headers.Pragma = "no-cache";
        if (!request.HasFormContentType)
        {
            return OAuthError(ProblemCodes.InvalidRequest, "Send the body as application/x-www-form-urlencoded: grant_type=client_credentials&scope=pos_integration.");
        }

        // Refused before reading when the declared length is over the limit, so a client that waits for
        // "100 Continue" is answered without sending its body; a chunked body over the limit is refused while read.
        var limit = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        if (request.ContentLength > limit)
        {
            return TooLarge(limit.Value);
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        }
        catch (BadHttpRequestException tooLarge) when (tooLarge.StatusCode == StatusCodes.Status413PayloadTooLarge && limit is not null)
        {
            return TooLarge(limit.Value);
        }
        catch (InvalidDataException)
        {
            // Too many fields, an over-long name or an encoded NUL: the form reader refuses it, and so do we.
            return OAuthError(ProblemCodes.InvalidRequest, "The form could not be read; send grant_type=client_credentials&scope=pos_integration.");
        }

        if (form["grant_type"] != "client_credentials")
        {
            return OAuthError(ProblemCodes.UnsupportedGrantType, "Only grant_type=client_credentials is supported.");
        }

        var presented = ClientCredentials.FromBasicHeader(request.Headers.Authorization)
            ?? (form["client_id"].ToString() is { Length: > 0 } id ? (id, form["client_secret"].ToString()) : null);
        var client = presented is { } p ? await credentials.Verify(p.Id, p.Secret) : null;
        if (client is null)
        {
            request.HttpContext.Response.Headers.WWWAuthenticate = "Basic realm=\"widgets\"";
            return OAuthError(ProblemCodes.InvalidClient, "Unknown client or wrong secret; send Authorization: Basic base64(client_id:client_secret).");
        }

        var requested = form["scope"].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var denied = requested.Except(client.Scopes).ToList();
        if (denied.Count > 0)
        {
            return OAuthError(ProblemCodes.InvalidScope, $"This client is not granted: {string.Join(' ', denied)}.");
        }

        var scopes = requested.Length > 0 ? requested.Distinct().ToList() : client.Scopes.ToList();
        return TypedResults.Ok(new TokenResponse(tokens.Issue(client, scopes), "Bearer", (int)AccessTokens.Lifetime.TotalSeconds, string.Join(' ', scopes)));
    }

    /// <summary>Problem+json that also carries OAuth2's <c>error</c> member, so OAuth client libraries understand it.</summary>
    private static ProblemHttpResult OAuthError(ProblemCode code, string detail) =>
        TypedResults.Problem(detail, statusCode: code.Status, title: code.Title,
            extensions: new Dictionary<string, object?> { ["code"] = code.Code, ["error"] = code.Code, ["error_description"] = detail });

    /// <summary>The form of a token request.</summary>
    public sealed record TokenRequestForm(
        [property: JsonPropertyName("grant_type")] string GrantType,
        [property: JsonPropertyName("scope")] string? Scope,
        [property: JsonPropertyName("client_id")] string? ClientId,
        [property: JsonPropertyName("client_secret")] string? ClientSecret);

    /// <summary>An OAuth2 access token response (RFC 6749 §5.1).</summary>
    public sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string AccessToken,
        [property: JsonPropertyName("token_type")] string TokenType,
        [property: JsonPropertyName("expires_in")] int ExpiresIn,
        [property: JsonPropertyName("scope")] string Scope);
}
