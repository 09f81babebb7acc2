using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Widgets.Client.Http;

/// <summary>
/// The client's retry pipeline, the same with and without dependency injection: a total timeout around retries with
/// exponential backoff and jitter that honour <c>Retry-After</c>, around a per-attempt timeout.
/// </summary>
internal static class WidgetsResilience
{
    /// <summary>
    /// What is retried: answers that say "not now" (408, 429, 502, 503, 504) and attempts that got no answer. A 500 is
    /// not: it is a fault on the server's side that a second identical request would meet again. Every POST the client
    /// retries is safe to repeat: start and sendMessage carry an Idempotency-Key, showQrCode and carousel answer the
    /// same when repeated.
    /// </summary>
    private static readonly HashSet<HttpStatusCode> Retryable =
    [
        HttpStatusCode.RequestTimeout, HttpStatusCode.TooManyRequests, HttpStatusCode.BadGateway,
        HttpStatusCode.ServiceUnavailable, HttpStatusCode.GatewayTimeout,
    ];

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, WidgetsClientOptions options)
    {
        builder.AddTimeout(options.TotalRequestTimeout);
        if (options.MaxRetryAttempts > 0)
        {
            var maxRetryAfter = options.MaxRetryAfter;
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = options.MaxRetryDelay,
                ShouldRetryAfterHeader = true,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, maxRetryAfter)),
            });
        }

        builder.AddTimeout(options.AttemptTimeout);
    }

    /// <summary>The pipeline as a handler, for a client built without dependency injection.</summary>
    public static DelegatingHandler Handler(WidgetsClientOptions options, TimeProvider clock, HttpMessageHandler inner)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = clock };
        Configure(builder, options);
        return new ResilienceHandler(builder.Build()) { InnerHandler = inner };
    }

    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, TimeSpan maxRetryAfter) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => Retryable.Contains(response.StatusCode) && !(ProblemReader.RetryAfter(response) > maxRetryAfter),
        _ => false,
    };
}
