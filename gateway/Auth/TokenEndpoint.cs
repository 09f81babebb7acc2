using Widgets.Gateway.Http;

namespace Widgets.Gateway.Auth;

/// <summary>OAuth2 client credentials, as ClearLine serves it: POST /connect/token.</summary>
public static class TokenEndpoint
{
    public static IEndpointRouteBuilder MapTokenEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapPost("/connect/token", Issue).AllowAnonymous().DisableAntiforgery().RequireRateLimiting(RateLimits.TokenPolicy).WithTags("Authentication");
        return app;
    }

    private static async Task<IResult> Issue(HttpRequest request, ClientCredentials credentials, AccessTokens tokens)
    {
        if (!request.HasFormContentType)
        {
            return OAuthError(400, "invalid_request", "Send the body as application/x-www-form-urlencoded: grant_type=client_credentials&scope=pos_integration.");
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        }
        catch (InvalidDataException)
        {
            // Too many fields, an over-long name or an encoded NUL: the form reader refuses it, and so do we.
            return OAuthError(400, "invalid_request", "The form could not be read; send grant_type=client_credentials&scope=pos_integration.");
        }

        if (form["grant_type"] != "client_credentials")
        {
            return OAuthError(400, "unsupported_grant_type", "Only grant_type=client_credentials is supported.");
        }

        var presented = ClientCredentials.FromBasicHeader(request.Headers.Authorization)
            ?? (form["client_id"].ToString() is { Length: > 0 } id ? (id, form["client_secret"].ToString()) : null);
        var client = presented is { } p ? await credentials.Verify(p.Id, p.Secret) : null;
        if (client is null)
        {
            request.HttpContext.Response.Headers.WWWAuthenticate = "Basic realm=\"widgets\"";
            return OAuthError(401, "invalid_client", "Unknown client or wrong secret; send Authorization: Basic base64(client_id:client_secret).");
        }

        var requested = form["scope"].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var denied = requested.Except(client.Scopes).ToList();
        if (denied.Count > 0)
        {
            return OAuthError(400, "invalid_scope", $"This client is not granted: {string.Join(' ', denied)}.");
        }

        var scopes = requested.Length > 0 ? requested.Distinct().ToList() : client.Scopes.ToList();
        return TypedResults.Json(new TokenResponse(tokens.Issue(client, scopes), "Bearer", (int)AccessTokens.Lifetime.TotalSeconds, string.Join(' ', scopes)), WidgetsJson.Options);
    }

    /// <summary>Problem+json that also carries OAuth2's <c>error</c> member, so OAuth client libraries understand it.</summary>
    private static IResult OAuthError(int status, string code, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: code, extensions: new Dictionary<string, object?> { ["code"] = code, ["error"] = code, ["error_description"] = detail });

    private sealed record TokenResponse(
        [property: System.Text.Json.Serialization.JsonPropertyName("access_token")] string AccessToken,
        [property: System.Text.Json.Serialization.JsonPropertyName("token_type")] string TokenType,
        [property: System.Text.Json.Serialization.JsonPropertyName("expires_in")] int ExpiresIn,
        [property: System.Text.Json.Serialization.JsonPropertyName("scope")] string Scope);
}
