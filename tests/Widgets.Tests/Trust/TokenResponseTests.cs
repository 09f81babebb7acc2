using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Trust;

/// <summary>
/// Answers of <c>POST /connect/token</c>, a token or a refusal, carry <c>Cache-Control: no-store</c> and
/// <c>Pragma: no-cache</c> (RFC 6749 §5.1): no browser, proxy or client library keeps a token, or an answer about a
/// client's secret, in a cache.
/// </summary>
[Collection(TrustCollection.Name)]
public sealed class TokenResponseTests(TrustFixture gateway)
{
    [Fact]
    public async Task Token_answers_issued_or_refused_are_never_cached()
    {
        var answers = new (string What, HttpStatusCode Status, Func<HttpRequestMessage> Request)[]
        {
            ("a token", HttpStatusCode.OK, () => Token(GatewayFixture.PosClientSecret, Form(("grant_type", "client_credentials"), ("scope", "pos_integration")))),
            ("a wrong secret", HttpStatusCode.Unauthorized, () => Token("wrong", Form(("grant_type", "client_credentials"), ("scope", "pos_integration")))),
            ("another grant type", HttpStatusCode.BadRequest, () => Token(GatewayFixture.PosClientSecret, Form(("grant_type", "password")))),
            ("a scope the client lacks", HttpStatusCode.BadRequest, () => Token(GatewayFixture.PosClientSecret, Form(("grant_type", "client_credentials"), ("scope", "widgets_admin")))),
            ("a JSON body", HttpStatusCode.BadRequest, () => Token(GatewayFixture.PosClientSecret, GatewayJson.Body(new { grant_type = "client_credentials" }))),
            ("a body over the limit", HttpStatusCode.RequestEntityTooLarge, () => Token(GatewayFixture.PosClientSecret, Form(("grant_type", "client_credentials"), ("x", new string('a', 1024 * 1024))))),
        };

        foreach (var (what, status, build) in answers)
        {
            using var request = build();
            // A body over the limit is answered before it is sent (as a client that waits for "100 Continue" sees it).
            request.Headers.ExpectContinue = request.Content!.Headers.ContentLength > 64 * 1024;
            using var response = await gateway.Anonymous().SendAsync(request);

            Assert.True(response.StatusCode == status, $"The token request with {what} answered {(int)response.StatusCode}, expected {(int)status}.");
            Assert.True(response.Headers.CacheControl?.NoStore == true, $"The answer to {what} may be cached: Cache-Control '{response.Headers.CacheControl}'.");
            Assert.True(response.Headers.Pragma.Any(p => p.Name == "no-cache"), $"The answer to {what} has no Pragma: no-cache.");
        }
    }

    private static HttpRequestMessage Token(string secret, HttpContent body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token") { Content = body };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{GatewayFixture.PosClientId}:{secret}")));
        return request;
    }

    private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) => new(fields.Select(f => KeyValuePair.Create(f.Name, f.Value)));
}
