using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Trust;

/// <summary>
/// Point 4, rate limits: a POS client, a terminal of a client, an IP on the public customer pages and an IP on
/// <c>/connect/token</c> each have a budget; past it the answer is 429 <c>rate_limited</c> problem+json with
/// Retry-After, while another client, terminal or IP is still served.
/// </summary>
[Collection(AbuseLimitCollection.Name)]
public sealed class AbuseLimitTests(AbuseLimitFixture gateway)
{
    [Fact]
    public async Task Pos_client_over_its_rate_gets_429_with_Retry_After_while_another_client_is_served()
    {
        var flooding = await gateway.CreateLocationAsync();
        var other = await gateway.CreateLocationAsync();
        var burst = AbuseLimitFixture.PosPerClientPerSecond * 3;

        var responses = await Task.WhenAll(Enumerable.Range(0, burst).Select(_ =>
            flooding.Pos.PostJson(flooding.PosRoute("widgets/list"), new { posLocationId = flooding.LocationId })));
        using var served = await other.Pos.PostJson(other.PosRoute("widgets/list"), new { posLocationId = other.LocationId });

        await AssertThrottled(responses, HttpStatusCode.OK, $"{burst} list calls of one client");
        await served.Data();
    }

    [Fact]
    public async Task Terminal_over_its_rate_gets_429_with_Retry_After_while_another_terminal_of_the_client_is_served()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        var burst = AbuseLimitFixture.PosPerTerminalPerSecond * 3;
        const string NoSuchSession = "0123456789abcdef0123456789abcdef";

        // Well-formed calls of one terminal: the ones within its budget reach the session lookup (404).
        var responses = await Task.WhenAll(Enumerable.Range(0, burst).Select(_ =>
            location.Pos.PostJson(location.PosRoute("widget/showQrCode"), location.InteractionBody(NoSuchSession, widgetId, "lane-1"))));
        using var served = await location.Pos.PostJson(location.PosRoute("widget/showQrCode"), location.InteractionBody(NoSuchSession, widgetId, "lane-2"));

        await AssertThrottled(responses, HttpStatusCode.NotFound, $"{burst} showQrCode calls of one terminal");
        await served.Problem(HttpStatusCode.NotFound, "session_not_found");
    }

    [Fact]
    public async Task Public_pages_over_the_per_ip_rate_get_429_with_Retry_After_while_another_ip_is_served()
    {
        var location = await gateway.CreateLocationAsync();
        var shown = await Customer.CustomerLinks.ShowQrCode(location, await location.CreateWidgetId());
        var flooding = gateway.FromAddress(IPAddress.Parse("127.0.0.21"));
        var other = gateway.FromAddress(IPAddress.Parse("127.0.0.22"));
        var pages = new Dictionary<string, Uri>
        {
            ["screen page"] = shown.ScreenUrl,
            ["screen state"] = new(shown.ScreenUrl + "/state"),
            ["QR image"] = shown.SvgUrl,
            ["landing page"] = shown.LandingUrl,
            ["unsubscribe page"] = new(gateway.BaseAddress, "/u/bm8tc3VjaA.not-a-valid-signature"),
        };

        // Eight loads of each page against a budget of five in all: every page is refused some.
        var burst = pages.SelectMany(p => Enumerable.Repeat(p, 8)).ToList();
        var responses = await Task.WhenAll(burst.Select(p => flooding.GetAsync(p.Value)));
        using var served = await other.GetAsync(shown.ScreenUrl);

        foreach (var page in burst.Zip(responses).GroupBy(x => x.First.Key, x => x.Second))
        {
            await AssertThrottled([.. page], page.Key == "unsubscribe page" ? HttpStatusCode.NotFound : HttpStatusCode.OK, $"8 loads of the {page.Key} from one IP", mayAllBeRefused: true);
        }

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task Token_endpoint_over_the_per_ip_rate_gets_429_with_Retry_After_while_another_ip_is_served()
    {
        var flooding = gateway.FromAddress(IPAddress.Parse("127.0.0.23"));
        var other = gateway.FromAddress(IPAddress.Parse("127.0.0.24"));
        var burst = AbuseLimitFixture.TokenPerIpPerMinute * 2;

        // Guessing secrets: every attempt counts, right or wrong.
        var responses = await Task.WhenAll(Enumerable.Range(0, burst).Select(i => flooding.SendAsync(TokenRequest(GatewayFixture.PosClientId, $"guess-{i}"))));
        using var served = await other.SendAsync(TokenRequest(GatewayFixture.PosClientId, GatewayFixture.PosClientSecret));
        using var stillRefused = await flooding.SendAsync(TokenRequest(GatewayFixture.PosClientId, GatewayFixture.PosClientSecret));

        await AssertThrottled(responses, HttpStatusCode.Unauthorized, $"{burst} token requests from one IP");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        await stillRefused.Problem(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.InRange(RetryAfter(stillRefused), 1, 60);
        Assert.True(stillRefused.Headers.CacheControl?.NoStore == true, $"A refused token request may be cached: Cache-Control '{stillRefused.Headers.CacheControl}'.");
    }

    [Fact]
    public async Task Dashboard_sign_in_with_wrong_secrets_is_429_once_the_per_ip_allowance_is_spent_one_by_one_or_in_a_parallel_burst_while_the_right_secret_from_another_ip_gets_in()
    {
        var guessing = gateway.FromAddress(IPAddress.Parse("127.0.0.25"));
        var bursting = gateway.FromAddress(IPAddress.Parse("127.0.0.28"));
        var other = gateway.FromAddress(IPAddress.Parse("127.0.0.26"));
        var allowance = AbuseLimitFixture.TokenPerIpPerMinute;

        // One at a time, as a script guessing secrets would: each wrong secret counts.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < allowance + 5; i++)
        {
            using var guess = await guessing.SendAsync(DashboardRequest(GatewayFixture.AdminClientId, $"guess-{i}"));
            statuses.Add(guess.StatusCode);
        }

        // All at once, on connections opened beforehand (so the guesses arrive together, not as each connection opens):
        // a secret is checked only with an attempt of the allowance in hand, so no more than the allowance is checked.
        foreach (var warm in await Task.WhenAll(Enumerable.Range(0, allowance * 2).Select(_ => bursting.GetAsync("/healthz"))))
        {
            warm.Dispose();
        }

        var burst = await Task.WhenAll(Enumerable.Range(0, allowance * 2).Select(i => bursting.SendAsync(DashboardRequest(GatewayFixture.AdminClientId, $"burst-{i}"))));
        using var rightButLate = await guessing.SendAsync(DashboardRequest(GatewayFixture.AdminClientId, GatewayFixture.AdminClientSecret));
        using var rightAfterTheBurst = await bursting.SendAsync(DashboardRequest(GatewayFixture.AdminClientId, GatewayFixture.AdminClientSecret));
        using var served = await other.SendAsync(DashboardRequest(GatewayFixture.AdminClientId, GatewayFixture.AdminClientSecret));

        Assert.Equal(allowance, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Equal(allowance, burst.Count(r => r.StatusCode == HttpStatusCode.Unauthorized));
        await AssertThrottled(burst, HttpStatusCode.Unauthorized, $"{allowance * 2} wrong secrets at once from one IP");
        foreach (var late in new[] { rightButLate, rightAfterTheBurst })
        {
            await late.Problem(HttpStatusCode.TooManyRequests, "rate_limited");
            Assert.InRange(RetryAfter(late), 1, 60);
        }

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task Dashboard_sign_ins_with_the_right_secret_are_never_limited()
    {
        // A browser on the dashboard sends the credentials with every request; only wrong secrets count.
        var operatorBrowser = gateway.FromAddress(IPAddress.Parse("127.0.0.29"));

        for (var i = 0; i < AbuseLimitFixture.TokenPerIpPerMinute * 2; i++)
        {
            using var page = await operatorBrowser.SendAsync(DashboardRequest(GatewayFixture.AdminClientId, GatewayFixture.AdminClientSecret));
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }
    }

    [Fact]
    public async Task Made_up_client_ids_activate_no_client_grain()
    {
        var management = gateway.Grains.GetGrain<Orleans.Runtime.IManagementGrain>(0);
        var type = gateway.Grains.GetGrain<Widgets.Clients.IApiClientGrain>("type-probe").GetGrainId().Type;
        var before = (await management.GetActiveGrains(type)).Count;
        var guessing = gateway.FromAddress(IPAddress.Parse("127.0.0.27"));

        for (var i = 0; i < AbuseLimitFixture.TokenPerIpPerMinute - 2; i++)
        {
            using var guess = await guessing.SendAsync(TokenRequest($"made-up-{Guid.NewGuid():N}", "guess"));
            Assert.Equal(HttpStatusCode.Unauthorized, guess.StatusCode);
        }

        Assert.Equal(before, (await management.GetActiveGrains(type)).Count);
    }

    private static HttpRequestMessage DashboardRequest(string clientId, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard/ClusterStats");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{secret}")));
        return request;
    }

    /// <summary>Some of <paramref name="responses"/> were served (<paramref name="served"/>), the rest are 429 problems with Retry-After.</summary>
    private static async Task AssertThrottled(HttpResponseMessage[] responses, HttpStatusCode served, string what, bool mayAllBeRefused = false)
    {
        var statuses = responses.GroupBy(r => r.StatusCode).ToDictionary(g => g.Key, g => g.Count());
        var histogram = string.Join(", ", statuses.Select(s => $"{(int)s.Key}: {s.Value}"));
        Assert.True(statuses.Keys.All(s => s == served || s == HttpStatusCode.TooManyRequests), $"{what} answered {histogram}");
        Assert.True(statuses.GetValueOrDefault(HttpStatusCode.TooManyRequests) > 0, $"{what} were all served: {histogram}");
        Assert.True(mayAllBeRefused || statuses.GetValueOrDefault(served) > 0, $"{what} were all refused: {histogram}");
        foreach (var refused in responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests))
        {
            await refused.Problem(HttpStatusCode.TooManyRequests, "rate_limited");
            Assert.True(RetryAfter(refused) >= 1, "A 429 without a Retry-After of at least one second.");
        }

        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    private static int RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter?.Delta is { } delta ? (int)delta.TotalSeconds
            : throw new Xunit.Sdk.XunitException($"No Retry-After (in seconds) on the {(int)response.StatusCode}.");

    private static HttpRequestMessage TokenRequest(string clientId, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "pos_integration" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{secret}")));
        return request;
    }
}
