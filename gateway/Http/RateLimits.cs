using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;

namespace Widgets.Gateway.Http;

/// <summary>
/// Abuse limits (configuration section <c>RateLimits</c>): per API client on the POS surface, per terminal inside
/// it, per IP on the public pages and the token endpoint. A refused request gets 429 with Retry-After.
/// </summary>
public sealed class RateLimits
{
    public const string Section = "RateLimits";
    public const string PosPolicy = "pos";
    public const string PublicPolicy = "public";
    public const string TokenPolicy = "token";

    public int PosPerClientPerSecond { get; set; } = 200;
    public int PosPerTerminalPerSecond { get; set; } = 10;
    public int PublicPerIpPerSecond { get; set; } = 20;
    public int TokenPerIpPerMinute { get; set; } = 30;

    public static IServiceCollection AddWidgetsRateLimits(IServiceCollection services, IConfiguration configuration)
    {
        var limits = configuration.GetSection(Section).Get<RateLimits>() ?? new RateLimits();
        services.AddSingleton(limits);
        services.AddSingleton<TerminalRateLimiter>();
        // Made once: a bucket factory written inline in a partitioner is a new delegate on every request.
        Func<(string, int), TokenBucketRateLimiterOptions> perClient = key => Bucket(key.Item2, TimeSpan.FromSeconds(1));
        Func<string, TokenBucketRateLimiterOptions> perIp = _ => Bucket(limits.PublicPerIpPerSecond, TimeSpan.FromSeconds(1));
        Func<string, TokenBucketRateLimiterOptions> perIpForTokens = _ => Bucket(limits.TokenPerIpPerMinute, TimeSpan.FromMinutes(1));
        services.AddRateLimiter(o =>
        {
            // Deployment-wide: this gateway's share of the client's limit (docs/SECURITY.md, "Limits").
            o.AddPolicy(PosPolicy, context => RateLimitPartition.GetTokenBucketLimiter(
                (context.User.FindFirst(Auth.AccessTokens.ClientIdClaim)?.Value ?? "anonymous",
                 Hosting.GatewayShare.Of(limits.PosPerClientPerSecond, context.RequestServices.GetRequiredService<Hosting.ILiveGateways>())), perClient));
            o.AddPolicy(PublicPolicy, context => RateLimitPartition.GetTokenBucketLimiter(ClientIp(context), perIp));
            o.AddPolicy(TokenPolicy, context => RateLimitPartition.GetTokenBucketLimiter(ClientIp(context), perIpForTokens));
            o.OnRejected = (context, cancellationToken) => Reject(context.HttpContext, context.Lease, cancellationToken);
        });
        return services;
    }

    /// <summary>A bucket that holds one period's worth of requests and refills continuously.</summary>
    public static TokenBucketRateLimiterOptions Bucket(int perPeriod, TimeSpan period) => new()
    {
        TokenLimit = Math.Max(1, perPeriod),
        TokensPerPeriod = Math.Max(1, perPeriod),
        ReplenishmentPeriod = period,
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    public static ProblemHttpResult TooMany(HttpContext context, TimeSpan retryAfter)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        // A refusal holds for this moment only, and the limiter answers before any endpoint sets its own headers (the
        // token endpoint's answers, refusals included, are never cached: RFC 6749 §5.1).
        context.Response.Headers.CacheControl = "no-store";
        return Problems.Of(ProblemCodes.RateLimited);
    }

    private static ValueTask Reject(HttpContext context, RateLimitLease lease, CancellationToken cancellationToken)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        return new ValueTask(TooMany(context, retryAfter).ExecuteAsync(context));
    }

    private static string ClientIp(HttpContext context) => (context.Connection.RemoteIpAddress ?? IPAddress.None).ToString();
}

/// <summary>One bucket per client and terminal: a single lane in a loop cannot starve the others of its client.</summary>
public sealed class TerminalRateLimiter(RateLimits limits) : IDisposable
{
    private readonly PartitionedRateLimiter<string> limiter = PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetTokenBucketLimiter(key, _ => RateLimits.Bucket(limits.PosPerTerminalPerSecond, TimeSpan.FromSeconds(1))));

    /// <summary>Null when the call may go ahead; otherwise the 429 to answer.</summary>
    public ProblemHttpResult? Check(HttpContext context, string clientId, string? terminalId)
    {
        if (terminalId is null)
        {
            return null;
        }

        using var lease = limiter.AttemptAcquire($"{clientId}\n{terminalId}");
        if (lease.IsAcquired)
        {
            return null;
        }

        return RateLimits.TooMany(context, lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1));
    }

    public void Dispose() => limiter.Dispose();
}
