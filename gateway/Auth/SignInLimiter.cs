using System.Net;
using System.Threading.RateLimiting;
using Widgets.Gateway.Http;

namespace Widgets.Gateway.Auth;

/// <summary>
/// Limits wrong client secrets per IP address wherever a person signs in with them (the dashboard's HTTP Basic, the
/// console's form), at <see cref="RateLimits.TokenPerIpPerMinute"/> like <c>/connect/token</c>. Only failures count,
/// so a signed-in operator whose browser repeats the credentials on every request is never slowed down.
/// </summary>
/// <remarks>
/// A secret is checked only with an attempt of its address's allowance in hand (<see cref="TryBegin"/>): checking
/// takes grain calls, and a burst that only asked "may I?" before checking and counted its failures afterwards would
/// all be checked before the first failure counted. A failed attempt spends its share; a successful one gives it back.
/// </remarks>
public sealed class SignInLimiter(RateLimits limits) : IDisposable
{
    private readonly PartitionedRateLimiter<string> failures = PartitionedRateLimiter.Create<string, string>(ip =>
        RateLimitPartition.GetTokenBucketLimiter(ip, _ => RateLimits.Bucket(limits.TokenPerIpPerMinute, TimeSpan.FromMinutes(1))));

    /// <summary>Attempts being checked, per address; an address leaves when it has none.</summary>
    private readonly Dictionary<string, int> checking = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    /// <summary>
    /// Takes one attempt of the caller's address's allowance while its secret is checked; null, with how long to wait,
    /// when the allowance is spent or held by attempts still being checked.
    /// </summary>
    public SignInAttempt? TryBegin(HttpContext context, out TimeSpan wait)
    {
        var address = Address(context);
        lock (gate)
        {
            var held = checking.GetValueOrDefault(address);
            if (failures.GetStatistics(address) is { } statistics && statistics.CurrentAvailablePermits - held <= 0)
            {
                wait = TimeSpan.FromSeconds(60.0 / Math.Max(1, limits.TokenPerIpPerMinute));
                return null;
            }

            checking[address] = held + 1;
        }

        wait = TimeSpan.Zero;
        return new SignInAttempt(this, address);
    }

    public void Dispose() => failures.Dispose();

    /// <summary>Settles an attempt: a failure spends its share of the allowance, a success gives it back.</summary>
    internal void End(string address, bool failed)
    {
        lock (gate)
        {
            if (failed)
            {
                using var _ = failures.AttemptAcquire(address);
            }

            if (checking[address] == 1)
            {
                checking.Remove(address);
            }
            else
            {
                checking[address]--;
            }
        }
    }

    private static string Address(HttpContext context) => (context.Connection.RemoteIpAddress ?? IPAddress.None).ToString();
}

/// <summary>One sign-in being checked; <see cref="Failed"/> when the id or secret was wrong, disposed either way.</summary>
public sealed class SignInAttempt(SignInLimiter limiter, string address) : IDisposable
{
    private bool settled;

    /// <summary>Counts a wrong id or secret against the address.</summary>
    public void Failed() => Settle(failed: true);

    /// <summary>Gives the attempt back unless it failed.</summary>
    public void Dispose() => Settle(failed: false);

    private void Settle(bool failed)
    {
        if (!settled)
        {
            settled = true;
            limiter.End(address, failed);
        }
    }
}
