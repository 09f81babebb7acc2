using System.Net;
using Widgets.Tests.Infrastructure;
using Widgets.Tests.Trust;
using Xunit;

namespace Widgets.Tests.Console;

/// <summary>The console's sign-in form shares the per-IP limit on wrong secrets (<c>SignInLimiter</c>) with the dashboard.</summary>
[Collection(AbuseLimitCollection.Name)]
public sealed class ConsoleSignInLimitTests(AbuseLimitFixture gateway)
{
    [Fact]
    public async Task Wrong_secrets_from_one_address_are_limited_and_then_even_the_right_one_waits_while_other_addresses_sign_in()
    {
        using var guesser = new ConsoleHttp(gateway.BaseAddress, IPAddress.Parse("127.0.77.11"));
        var wrong = new Dictionary<string, string> { ["Form.ClientId"] = GatewayFixture.AdminClientId, ["Form.Secret"] = "guess" };
        for (var i = 0; i < AbuseLimitFixture.TokenPerIpPerMinute; i++)
        {
            using var refused = await guesser.PostForm("/console/signin", "signin", wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var limited = await guesser.PostForm("/console/signin", "signin",
            new() { ["Form.ClientId"] = GatewayFixture.AdminClientId, ["Form.Secret"] = GatewayFixture.AdminClientSecret });
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.Contains("Too many failed sign-ins", await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(limited.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], c => c.StartsWith("widgets.console=", StringComparison.Ordinal));

        using var neighbour = await ConsoleSession.Http(gateway, GatewayFixture.AdminClientId, GatewayFixture.AdminClientSecret);
        using var home = await neighbour.Get("/console/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
    }
}
