using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Widgets.Tests.Client;

/// <summary>
/// What went over the wire below the client: one entry per attempt, in the order they were sent (a sequence shared by
/// every log). The client's retries
/// resend the same <see cref="HttpRequestMessage"/>, so <see cref="Exchange.Request"/> tells the attempts of one call apart
/// from another call's.
/// </summary>
internal sealed class WireLog
{
    /// <summary>One counter for every log, so the order of a token request and an API call can be compared.</summary>
    private static long sequence;

    private readonly ConcurrentQueue<Exchange> exchanges = new();

    public IReadOnlyList<Exchange> Exchanges => exchanges.OrderBy(e => e.Sequence).ToList();

    /// <summary>Attempts whose path ends with <paramref name="suffix"/> (e.g. <c>widget/start</c>, <c>connect/token</c>).</summary>
    public IReadOnlyList<Exchange> To(string suffix) =>
        Exchanges.Where(e => e.Path.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)).ToList();

    /// <summary>The attempts of each call, grouped by the request object the client sent (and resent).</summary>
    public IReadOnlyList<IReadOnlyList<Exchange>> Calls(string suffix) =>
        To(suffix).GroupBy(e => e.Request, ReferenceEqualityComparer.Instance).Select(g => (IReadOnlyList<Exchange>)g.ToList()).ToList();

    public string Describe(string? suffix = null) =>
        string.Join("\n", (suffix is null ? Exchanges : To(suffix)).Select(e => e.ToString()));

    internal static long Next() => Interlocked.Increment(ref sequence);

    internal void Add(Exchange exchange) => exchanges.Enqueue(exchange);

    /// <summary>A handler that writes to this log; make one per handler chain (the factory builds chains more than once).</summary>
    public DelegatingHandler Handler(HttpMessageHandler? inner = null) => inner is null ? new Recorder(this) : new Recorder(this) { InnerHandler = inner };

    /// <summary>One attempt: what was sent, when, and what came back (null status: no answer).</summary>
    internal sealed record Exchange(
        long Sequence,
        HttpRequestMessage Request,
        string Method,
        string Path,
        string? IdempotencyKey,
        string? IfNoneMatch,
        string? Authorization,
        long SentAt,
        long AnsweredAt,
        HttpStatusCode? Status,
        TimeSpan? RetryAfter,
        string Body)
    {
        /// <summary>Time from this attempt's answer to <paramref name="next"/>'s sending.</summary>
        public TimeSpan GapBefore(Exchange next) => Stopwatch.GetElapsedTime(AnsweredAt, next.SentAt);

        public override string ToString() =>
            $"#{Sequence} {Method} {Path} key={IdempotencyKey ?? "-"} → {(Status is { } s ? ((int)s).ToString(System.Globalization.CultureInfo.InvariantCulture) : "no answer")}"
            + (RetryAfter is { } r ? $" Retry-After {r.TotalSeconds:0.#} s" : "") + (Body.Length > 0 ? $" {Body[..Math.Min(Body.Length, 200)]}" : "");
    }

    private sealed class Recorder(WireLog log) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var sequence = WireLog.Next();
            var sentAt = Stopwatch.GetTimestamp();
            HttpResponseMessage response;
            try
            {
                response = await base.SendAsync(request, cancellationToken);
            }
            catch
            {
                log.Add(Entry(request, sequence, sentAt, null, ""));
                throw;
            }

            // Buffered, so the client still reads the whole body after the log has.
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            log.Add(Entry(request, sequence, sentAt, response, await response.Content.ReadAsStringAsync(cancellationToken)));
            return response;
        }

        private static Exchange Entry(HttpRequestMessage request, long sequence, long sentAt, HttpResponseMessage? response, string body) => new(
            sequence,
            request,
            request.Method.Method,
            request.RequestUri?.AbsolutePath ?? "",
            request.Headers.TryGetValues("Idempotency-Key", out var keys) ? keys.Single() : null,
            request.Headers.TryGetValues("If-None-Match", out var tags) ? tags.Single() : null,
            request.Headers.Authorization?.ToString(),
            sentAt,
            Stopwatch.GetTimestamp(),
            response?.StatusCode,
            response?.Headers.RetryAfter?.Delta,
            body);
    }
}

/// <summary>
/// A network that loses the answer to chosen requests: the gateway gets the request and answers it, but the client sees
/// the connection drop instead, as after a reset between a POS and a load balancer.
/// </summary>
internal sealed class LosesAnswers(Func<HttpRequestMessage, bool> lose, int times) : DelegatingHandler
{
    private int left = times;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (lose(request) && Interlocked.Decrement(ref left) >= 0)
        {
            response.Dispose();
            throw new HttpRequestException("The connection was reset before the answer arrived (test network).");
        }

        return response;
    }
}
