using System.Net;
using Microsoft.AspNetCore.Http;
using Widgets.Gateway.Auth;
using Widgets.Gateway.Http;
using Xunit;

namespace Widgets.Tests.Trust;

/// <summary>
/// The sign-in allowance of an address (dashboard and console) holds however the attempts interleave: a secret is
/// checked only with an attempt in hand, so secrets still being checked count, and only failures spend the allowance.
/// The HTTP side is in <c>AbuseLimitTests</c>; here the interleaving a burst may or may not produce is made certain.
/// </summary>
public sealed class SignInLimiterTests
{
    private const int Allowance = 3;

    [Fact]
    public void A_burst_gets_no_more_secrets_checked_than_the_allowance_even_before_any_has_failed()
    {
        using var limiter = new SignInLimiter(new RateLimits { TokenPerIpPerMinute = Allowance });
        var from = From("192.0.2.1");

        // Every attempt of the burst has begun; none of their secrets has been found wrong yet.
        var checking = Enumerable.Range(0, Allowance).Select(i => limiter.TryBegin(from, out _)).ToList();
        var over = limiter.TryBegin(from, out var wait);

        Assert.All(checking, Assert.NotNull);
        Assert.Null(over);
        Assert.InRange(wait.TotalSeconds, 1, 60);
        Assert.NotNull(limiter.TryBegin(From("192.0.2.2"), out _));

        // They all fail: the allowance is spent.
        checking.ForEach(a => a!.Failed());
        Assert.Null(limiter.TryBegin(from, out _));
    }

    [Fact]
    public void A_successful_sign_in_gives_its_attempt_back()
    {
        using var limiter = new SignInLimiter(new RateLimits { TokenPerIpPerMinute = Allowance });
        var from = From("192.0.2.3");

        for (var i = 0; i < Allowance * 5; i++)
        {
            using var attempt = limiter.TryBegin(from, out _);
            Assert.NotNull(attempt);
        }

        using (var wrong = limiter.TryBegin(from, out _))
        {
            wrong!.Failed();
        }

        var left = Enumerable.Range(0, Allowance).Select(i => limiter.TryBegin(from, out _)).ToList();
        Assert.Equal(Allowance - 1, left.Count(a => a is not null));
    }

    private static DefaultHttpContext From(string address) => new() { Connection = { RemoteIpAddress = IPAddress.Parse(address) } };
}
