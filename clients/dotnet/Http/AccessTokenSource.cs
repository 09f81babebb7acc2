using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace Widgets.Client.Http;

/// <summary>An access token and when the client stops using it.</summary>
internal sealed record AccessToken(string Value, DateTimeOffset RefreshAt, DateTimeOffset ExpiresAt);

/// <summary>A token, or the token endpoint's error answer, which the API call then answers with.</summary>
internal readonly record struct TokenResult(AccessToken? Token, HttpResponseMessage? Refusal);

/// <summary>
/// Gets OAuth2 client-credentials tokens at <c>/connect/token</c> (HTTP Basic, as ClearLine documents it) and keeps one
/// for all calls: replaced <see cref="WidgetsClientOptions.TokenRefreshMargin"/> before it expires, and at once when
/// the API refuses it. One request at a time: concurrent calls wait for the same new token.
/// </summary>
/// <remarks>
/// A token request has no retries of its own: it runs inside the attempt of the API call that needs it, so a failed
/// one (no connection, a 429 or 503 with Retry-After) is retried by that call's pipeline like any other attempt, within
/// the same timeouts. Retries nested inside retries would multiply.
/// </remarks>
internal sealed class AccessTokenSource(Func<HttpClient> tokenClient, Func<WidgetsClientOptions> options, TimeProvider clock) : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private volatile AccessToken? current;

    /// <summary>The token to send now: the kept one while it is fresh, else a new one.</summary>
    public ValueTask<TokenResult> GetAsync(CancellationToken cancellationToken)
    {
        var token = current;
        return token is not null && clock.GetUtcNow() < token.RefreshAt
            ? ValueTask.FromResult(new TokenResult(token, null))
            : new ValueTask<TokenResult>(RenewAsync(token, refused: false, cancellationToken));
    }

    /// <summary>A new token after the API refused <paramref name="refused"/> (a 401); a token another call already renewed is reused.</summary>
    public Task<TokenResult> RenewAfterRefusalAsync(AccessToken refused, CancellationToken cancellationToken) =>
        RenewAsync(refused, refused: true, cancellationToken);

    public void Dispose() => gate.Dispose();

    private async Task<TokenResult> RenewAsync(AccessToken? seen, bool refused, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (current is { } renewed && !ReferenceEquals(renewed, seen) && clock.GetUtcNow() < renewed.RefreshAt)
            {
                return new TokenResult(renewed, null);
            }

            // Renewing ahead of expiry may fail (the token server down or busy) while the kept token is still valid: use it.
            var fallback = !refused && seen is not null && clock.GetUtcNow() < seen.ExpiresAt ? seen : null;
            TokenResult result;
            try
            {
                result = await RequestAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException) when (fallback is not null)
            {
                return new TokenResult(fallback, null);
            }

            if (result.Token is { } token)
            {
                current = token;
            }
            else if (fallback is not null)
            {
                result.Refusal?.Dispose();
                return new TokenResult(fallback, null);
            }

            return result;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<TokenResult> RequestAsync(CancellationToken cancellationToken)
    {
        var settings = options();
        using var request = new HttpRequestMessage(ApiOperations.Token.Method, ApiOperations.Token.Path())
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials"), new("scope", settings.Scope)]),
        };

        // RFC 6749 2.3.1: id and secret are form-encoded before they are joined and base64-encoded.
        var credentials = $"{Uri.EscapeDataString(settings.ClientId)}:{Uri.EscapeDataString(settings.ClientSecret)}";
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));

        var requestedAt = clock.GetUtcNow();
        var response = await tokenClient().SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return new TokenResult(null, response);
        }

        using (response)
        {
            var token = await response.Content.ReadFromJsonAsync(WidgetsJsonContext.Default.TokenResponse, cancellationToken).ConfigureAwait(false);
            if (token is not { AccessToken.Length: > 0, ExpiresIn: > 0 })
            {
                throw ProblemReader.Unexpected(response, "its body has no access_token and expires_in");
            }

            var lifetime = TimeSpan.FromSeconds(token.ExpiresIn);
            var margin = settings.TokenRefreshMargin < lifetime / 2 ? settings.TokenRefreshMargin : lifetime / 2;
            return new TokenResult(new AccessToken(token.AccessToken, requestedAt + lifetime - margin, requestedAt + lifetime), null);
        }
    }
}
