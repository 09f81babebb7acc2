namespace Widgets.Client;

/// <summary>
/// An error answer of the Widgets API (RFC 9457 problem+json), after the client's retries: <see cref="Code"/> is the
/// contract's stable machine-readable code (<see cref="ProblemCodes"/>). Subclasses group the codes by what a POS does
/// about them; catch this type to handle them all.
/// </summary>
public class WidgetsApiException : Exception
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoErrors = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Creates the exception for one problem.</summary>
    /// <param name="status">The HTTP status; 0 when no answer came.</param>
    /// <param name="code">The stable code.</param>
    /// <param name="title">The problem's short title.</param>
    /// <param name="detail">What happened and what to do, in words.</param>
    /// <param name="errors">Per-field validation messages.</param>
    /// <param name="retryAfter">The answer's <c>Retry-After</c>.</param>
    /// <param name="innerException">The failure behind it, when no answer came.</param>
    public WidgetsApiException(
        int status,
        string code,
        string title,
        string? detail,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? errors = null,
        TimeSpan? retryAfter = null,
        Exception? innerException = null)
        : base(Describe(status, code, title, detail, errors), innerException)
    {
        Status = status;
        Code = code;
        Title = title;
        Detail = detail;
        Errors = errors ?? NoErrors;
        RetryAfter = retryAfter;
    }

    /// <summary>The HTTP status of the answer; 0 when the server could not be reached or did not answer in time.</summary>
    public int Status { get; }

    /// <summary>The stable code, e.g. <c>terminal_not_found</c> (<see cref="ProblemCodes"/>).</summary>
    public string Code { get; }

    /// <summary>The problem's short title.</summary>
    public string Title { get; }

    /// <summary>What happened and, usually, what to do about it.</summary>
    public string? Detail { get; }

    /// <summary>For <c>validation_failed</c>: the messages per field (e.g. <c>terminalId</c>, <c>profile.customerEmail</c>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Errors { get; }

    /// <summary>How long the server asked to wait before trying again, when it said.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>The exception that fits the status: the subclasses let a caller catch one family of problems.</summary>
    internal static WidgetsApiException Create(
        int status, string code, string title, string? detail, IReadOnlyDictionary<string, IReadOnlyList<string>>? errors, TimeSpan? retryAfter, Exception? inner = null) =>
        status switch
        {
            400 or 413 or 415 or 422 => new WidgetsValidationException(status, code, title, detail, errors, retryAfter),
            401 or 403 => new WidgetsAuthenticationException(status, code, title, detail, errors, retryAfter),
            404 => new WidgetsNotFoundException(status, code, title, detail, errors, retryAfter),
            409 or 412 => new WidgetsConflictException(status, code, title, detail, errors, retryAfter),
            0 or 408 or 429 or >= 500 => new WidgetsUnavailableException(status, code, title, detail, errors, retryAfter, inner),
            _ => new WidgetsApiException(status, code, title, detail, errors, retryAfter, inner),
        };

    private static string Describe(int status, string code, string title, string? detail, IReadOnlyDictionary<string, IReadOnlyList<string>>? errors)
    {
        var fields = errors is { Count: > 0 } ? " " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")) : "";
        var answer = status == 0 ? "" : status.ToString(System.Globalization.CultureInfo.InvariantCulture) + " ";
        return $"{answer}{code}: {detail ?? title}{fields}";
    }
}

/// <summary>The request was refused as invalid (400, 413, 415, 422): fix the request; <see cref="WidgetsApiException.Errors"/> names the fields.</summary>
public sealed class WidgetsValidationException(
    int status, string code, string title, string? detail, IReadOnlyDictionary<string, IReadOnlyList<string>>? errors, TimeSpan? retryAfter)
    : WidgetsApiException(status, code, title, detail, errors, retryAfter);

/// <summary>The credentials or the token were refused (401, 403), also after one fresh token: check the client id, secret and scope.</summary>
public sealed class WidgetsAuthenticationException(
    int status, string code, string title, string? detail, IReadOnlyDictionary<string, IReadOnlyList<string>>? errors, TimeSpan? retryAfter)
    : WidgetsApiException(status, code, title, detail, errors, retryAfter);

/// <summary>
/// Something the call names does not exist for this client (404): <c>terminal_not_found</c>, <c>widget_not_found</c>,
/// <c>session_not_found</c>, <c>location_not_found</c>, or <c>not_found</c> for a route the server does not serve.
/// </summary>
public sealed class WidgetsNotFoundException(
    int status, string code, string title, string? detail, IReadOnlyDictionary<string, IReadOnlyList<string>>? errors, TimeSpan? retryAfter)
    : WidgetsApiException(status, code, title, detail, errors, retryAfter);

/// <summary>The call conflicts with the current state (409, 412), e.g. <c>session_ended</c>, <c>coupons_exhausted</c>.</summary>
public sealed class WidgetsConflictException(
    int status, string code, string title, string? detail, IReadOnlyDictionary<string, IReadOnlyList<string>>? errors, TimeSpan? retryAfter)
    : WidgetsApiException(status, code, title, detail, errors, retryAfter);

/// <summary>
/// The service could not serve the call even after the client's retries (429, 503, another 5xx, no answer in time
/// or no connection: <see cref="WidgetsApiException.Status"/> 0). Try again later; <see cref="WidgetsApiException.RetryAfter"/> says when, if known.
/// </summary>
public sealed class WidgetsUnavailableException(
    int status, string code, string title, string? detail, IReadOnlyDictionary<string, IReadOnlyList<string>>? errors, TimeSpan? retryAfter, Exception? innerException = null)
    : WidgetsApiException(status, code, title, detail, errors, retryAfter, innerException);
