using System.Net;
using System.Threading.RateLimiting;
using Widgets.Gateway.Http;

namespace Widgets.Gateway.Auth;

/// <summary>
/// Limits wrong client secrets per IP address wherever a person signs in with them (the dashboard's HTTP Basic, the
/// console's form), at <see cref="RateLimits.TokenPerIpPerMinute"/> like <c>/connect/token</c>. Only failures count,
/// so a signed-in operator whose browser repeats the credentials on every request is never slowed down.
/// </summary>
public sealed class SignInLimiter(RateLimits limits) : IDisposable
{
    private readonly PartitionedRateLimiter<string> failures = PartitionedRateLimiter.Create<string, string>(ip =>
        RateLimitPartition.GetTokenBucketLimiter(ip, _ => RateLimits.Bucket(limits.TokenPerIpPerMinute, TimeSpan.FromMinutes(1))));

    /// <summary>How long this address must wait before another attempt; null when it may try now.</summary>
    public TimeSpan? Wait(HttpContext context)
    {
        var statistics = failures.GetStatistics(Address(context));
        return statistics is { CurrentAvailablePermits: <= 0 } ? TimeSpan.FromSeconds(60.0 / Math.Max(1, limits.TokenPerIpPerMinute)) : null;
    }

    /// <summary>Counts a wrong id or secret against the address.</summary>
    public void Failed(HttpContext context)
    {
        using var _ = failures.AttemptAcquire(Address(context));
    }

    public void Dispose() => failures.Dispose();

    private static string Address(HttpContext context) => (context.Connection.RemoteIpAddress ?? IPAddress.None).ToString();
}
