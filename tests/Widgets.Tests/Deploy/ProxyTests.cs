using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Widgets.Tests.Customer;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Deploy;

/// <summary>
/// A gateway that trusts one reverse proxy, 127.0.0.2 (<c>Http:ForwardedHeaders:KnownProxies</c>). Everyone else on the
/// loopback network (127.0.0.1 for setup, other 127.x addresses for the tests) is a client talking to it directly.
/// </summary>
public sealed class ProxyFixture : GatewayFixture
{
    public const int TokenPerIpPerMinute = 20;
    public static readonly IPAddress Proxy = IPAddress.Parse("127.0.0.2");

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Http:ForwardedHeaders:KnownProxies:0"] = Proxy.ToString();
        settings["RateLimits:TokenPerIpPerMinute"] = TokenPerIpPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}

[CollectionDefinition(Name)]
public sealed class ProxyCollection : ICollectionFixture<ProxyFixture>
{
    public const string Name = "Deploy: behind a reverse proxy";
}

/// <summary>Rate limits key on the real client only when a trusted proxy says who it is; TLS at the proxy counts as TLS.</summary>
[Collection(ProxyCollection.Name)]
public sealed class ProxyTests(ProxyFixture gateway)
{
    private const int Burst = ProxyFixture.TokenPerIpPerMinute + 5;

    [Fact]
    public async Task Behind_the_trusted_proxy_each_client_address_has_its_own_token_budget()
    {
        using var proxy = gateway.FromAddress(ProxyFixture.Proxy);
        var flooding = await SendAsync(proxy, Burst, _ => "203.0.113.10");
        using var other = await proxy.SendAsync(TokenRequest("203.0.113.11"));

        Assert.Contains(HttpStatusCode.TooManyRequests, flooding);
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
    }

    [Fact]
    public async Task A_client_that_sends_X_Forwarded_For_itself_is_still_limited_by_its_own_address()
    {
        using var direct = gateway.FromAddress(IPAddress.Parse("127.0.0.31"));
        var statuses = await SendAsync(direct, Burst, i => $"198.51.100.{i}");

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
    }

    [Fact]
    public async Task Addresses_a_client_puts_before_the_ones_the_proxy_adds_do_not_buy_it_a_new_budget()
    {
        using var proxy = gateway.FromAddress(ProxyFixture.Proxy);

        // What a client sent as X-Forwarded-For, then the address the proxy saw, appended by the proxy.
        var statuses = await SendAsync(proxy, Burst, i => $"198.51.100.{i}, 203.0.113.20");

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
    }

    [Fact]
    public async Task Behind_a_TLS_terminating_proxy_the_landing_form_cookie_is_Secure_and_only_then()
    {
        var location = await gateway.CreateLocationAsync();
        var shown = await location.ShowQrCode(await location.CreateWidgetId());
        using var proxy = gateway.FromAddress(ProxyFixture.Proxy);
        using var direct = gateway.FromAddress(IPAddress.Parse("127.0.0.32"));

        var viaTls = await LandingCookie(proxy, shown.LandingUrl);
        var spoofed = await LandingCookie(direct, shown.LandingUrl);

        Assert.Contains("secure", viaTls, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", spoofed, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<string> LandingCookie(HttpClient client, Uri landing)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, landing.PathAndQuery);
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-For", "203.0.113.30");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return string.Join("\n", response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : []);
    }

    private static async Task<List<HttpStatusCode>> SendAsync(HttpClient client, int count, Func<int, string> forwardedFor)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
        {
            using var response = await client.SendAsync(TokenRequest(forwardedFor(i)));
            statuses.Add(response.StatusCode);
        }

        return statuses;
    }

    /// <summary>A token request with a wrong secret: every attempt counts against the budget, right or wrong.</summary>
    private static HttpRequestMessage TokenRequest(string forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "pos_integration" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{GatewayFixture.PosClientId}:wrong")));
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return request;
    }
}
