using System.Net;
using System.Net.Http.Headers;

namespace Widgets.Client.Http;

/// <summary>
/// Adds <c>Authorization: Bearer</c> to every attempt. A 401 means the token was refused (expired early, the client
/// re-created, the signing key rotated): the handler gets a new token and sends the request once more; a second 401
/// goes to the caller as a <see cref="WidgetsAuthenticationException"/>. When no token can be had, the token endpoint's
/// answer is the attempt's answer, so the retry pipeline around this handler treats a 503 or 429 there like any other
/// and the caller gets, say, <c>invalid_client</c> as the call's problem.
/// </summary>
internal sealed class BearerTokenHandler(AccessTokenSource tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var (token, refusal) = await tokens.GetAsync(cancellationToken).ConfigureAwait(false);
        if (token is null)
        {
            return refusal!;
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        response.Dispose();
        (token, refusal) = await tokens.RenewAfterRefusalAsync(token, cancellationToken).ConfigureAwait(false);
        if (token is null)
        {
            return refusal!;
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
