using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace Widgets.Client.Http;

/// <summary>An access token and when the client stops using it.</summary>
internal sealed record AccessToken(string Value, DateTimeOffset RefreshAt, DateTimeOffset ExpiresAt);

/// <summary>
/// Gets OAuth2 client-credentials tokens at <c>/connect/token</c> (HTTP Basic, as ClearLine documents it) and keeps one
/// for all calls: replaced <see cref="WidgetsClientOptions.TokenRefreshMargin"/> before it expires, and at once when
/// the API refuses it. One request at a time: concurrent calls wait for the same new token.
/// </summary>
internal sealed class AccessTokenSource(Func<HttpClient> tokenClient, Func<WidgetsClientOptions> options, TimeProvider clock) : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private volatile AccessToken? current;

    /// <summary>The token to send now: the kept one while it is fresh, else a new one.</summary>
    public ValueTask<AccessToken> GetAsync(CancellationToken cancellationToken)
    {
        var token = current;
        return token is not null && clock.GetUtcNow() < token.RefreshAt
            ? ValueTask.FromResult(token)
            : new ValueTask<AccessToken>(RenewAsync(token, refused: false, cancellationToken));
    }

    /// <summary>A new token after the API refused <paramref name="refused"/> (a 401); a token another call already renewed is reused.</summary>
    public Task<AccessToken> RenewAfterRefusalAsync(AccessToken refused, CancellationToken cancellationToken) =>
        RenewAsync(refused, refused: true, cancellationToken);

    public void Dispose() => gate.Dispose();

    private async Task<AccessToken> RenewAsync(AccessToken? seen, bool refused, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (current is { } renewed && !ReferenceEquals(renewed, seen) && clock.GetUtcNow() < renewed.RefreshAt)
            {
                return renewed;
            }

            try
            {
                current = await RequestAsync(cancellationToken).ConfigureAwait(false);
                return current;
            }
            catch (WidgetsUnavailableException) when (!refused && seen is not null && clock.GetUtcNow() < seen.ExpiresAt)
            {
                // The token server is down or busy, but the kept token is still valid: use it until the next try.
                return seen;
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<AccessToken> RequestAsync(CancellationToken cancellationToken)
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
        HttpResponseMessage response;
        try
        {
            response = await tokenClient().SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception failure) when (failure is HttpRequestException or Polly.Timeout.TimeoutRejectedException)
        {
            throw ProblemReader.NoAnswer(failure);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw await ProblemReader.ReadAsync(response, cancellationToken).ConfigureAwait(false);
            }

            var token = await response.Content.ReadFromJsonAsync(WidgetsJsonContext.Default.TokenResponse, cancellationToken).ConfigureAwait(false);
            if (token is not { AccessToken.Length: > 0, ExpiresIn: > 0 })
            {
                throw ProblemReader.Unexpected(response, "its body has no access_token and expires_in");
            }

            var lifetime = TimeSpan.FromSeconds(token.ExpiresIn);
            var margin = settings.TokenRefreshMargin < lifetime / 2 ? settings.TokenRefreshMargin : lifetime / 2;
            return new AccessToken(token.AccessToken, requestedAt + lifetime - margin, requestedAt + lifetime);
        }
    }
}
