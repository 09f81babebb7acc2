using System.Net;
using System.Text.Json;

namespace Widgets.Client.Http;

/// <summary>Turns an error answer into the typed exception; the one place that reads problem+json.</summary>
internal static class ProblemReader
{
    private const int MaxDetailFromText = 300;

    public static async Task<WidgetsApiException> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var retryAfter = RetryAfter(response);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var problem = TryParse(text, response.Content.Headers.ContentType?.MediaType);
        if (problem is null)
        {
            // Not the contract's problem+json (a proxy's HTML page, an empty body): keep what there is.
            var detail = text.Length > MaxDetailFromText ? text[..MaxDetailFromText] + "…" : text;
            return WidgetsApiException.Create(status, ProblemCodes.UnexpectedResponse, response.ReasonPhrase ?? $"HTTP {status}",
                string.IsNullOrWhiteSpace(detail) ? $"The server answered {status} without a problem+json body." : detail, null, retryAfter);
        }

        var errors = problem.Errors?.ToDictionary(e => e.Key, e => (IReadOnlyList<string>)e.Value);
        return WidgetsApiException.Create(
            status,
            problem.Code ?? problem.Error ?? ProblemCodes.UnexpectedResponse,
            problem.Title ?? response.ReasonPhrase ?? $"HTTP {status}",
            problem.Detail ?? problem.ErrorDescription,
            errors,
            retryAfter);
    }

    /// <summary>The answer's <c>Retry-After</c> as a delay (seconds or a date), if any.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    public static WidgetsApiException NoAnswer(Exception failure) => failure switch
    {
        Polly.Timeout.TimeoutRejectedException => new WidgetsUnavailableException(0, ProblemCodes.Timeout, "No answer in time",
            "No attempt got an answer within the client's timeouts (AttemptTimeout, TotalRequestTimeout).", null, null, failure),
        _ => new WidgetsUnavailableException(0, ProblemCodes.Unreachable, "Service unreachable",
            $"The service could not be reached: {failure.Message}", null, null, failure),
    };

    public static WidgetsApiException Unexpected(HttpResponseMessage response, string what) =>
        new(
            (int)response.StatusCode,
            ProblemCodes.UnexpectedResponse,
            "Unexpected response",
            $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath} answered {(int)response.StatusCode} but {what}.");

    private static ProblemBody? TryParse(string text, string? mediaType)
    {
        if (mediaType is null || !mediaType.EndsWith("json", StringComparison.OrdinalIgnoreCase) || string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(text, WidgetsJsonContext.Default.ProblemBody);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static bool IsNotModified(HttpResponseMessage response) => response.StatusCode == HttpStatusCode.NotModified;
}
