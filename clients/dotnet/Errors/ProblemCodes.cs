namespace Widgets.Client;

/// <summary>The stable <c>code</c> values of the API's problems, and the client's own for failures without an answer.</summary>
public static class ProblemCodes
{
    /// <summary>400: fields are invalid; see <see cref="WidgetsApiException.Errors"/>.</summary>
    public const string ValidationFailed = "validation_failed";

    /// <summary>400: the body is not JSON, or not the shape of the endpoint.</summary>
    public const string InvalidJson = "invalid_json";

    /// <summary>400: sendMessage got neither a phone nor an email.</summary>
    public const string RecipientRequired = "recipient_required";

    /// <summary>400: the phone number is not a valid mobile number.</summary>
    public const string InvalidPhone = "invalid_phone";

    /// <summary>400: the email address is not valid.</summary>
    public const string InvalidEmail = "invalid_email";

    /// <summary>400: the widget requires the customer's consent to be sent.</summary>
    public const string ConsentRequired = "consent_required";

    /// <summary>400: the widget does not offer that channel.</summary>
    public const string ChannelNotAllowed = "channel_not_allowed";

    /// <summary>400: the Idempotency-Key header is malformed.</summary>
    public const string InvalidIdempotencyKey = "invalid_idempotency_key";

    /// <summary>401 at /connect/token: unknown client or wrong secret.</summary>
    public const string InvalidClient = "invalid_client";

    /// <summary>400 at /connect/token: the client is not granted the scope.</summary>
    public const string InvalidScope = "invalid_scope";

    /// <summary>401: the token was refused.</summary>
    public const string Unauthorized = "unauthorized";

    /// <summary>403: the token's scope does not allow the endpoint.</summary>
    public const string InsufficientScope = "insufficient_scope";

    /// <summary>404: no such route.</summary>
    public const string NotFound = "not_found";

    /// <summary>404: the location is unknown to this client.</summary>
    public const string LocationNotFound = "location_not_found";

    /// <summary>404: the terminal is not registered for the location.</summary>
    public const string TerminalNotFound = "terminal_not_found";

    /// <summary>404: the widget is unknown or not live.</summary>
    public const string WidgetNotFound = "widget_not_found";

    /// <summary>404: no such session for this client.</summary>
    public const string SessionNotFound = "session_not_found";

    /// <summary>409: the session has ended.</summary>
    public const string SessionEnded = "session_ended";

    /// <summary>409: the widget has no coupon codes left.</summary>
    public const string CouponsExhausted = "coupons_exhausted";

    /// <summary>422: the Idempotency-Key was used before with another request.</summary>
    public const string IdempotencyKeyReused = "idempotency_key_reused";

    /// <summary>429: too many requests; see <see cref="WidgetsApiException.RetryAfter"/>.</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>503: the service is failing over.</summary>
    public const string Unavailable = "unavailable";

    /// <summary>Client: no attempt got an answer within the configured timeouts.</summary>
    public const string Timeout = "timeout";

    /// <summary>Client: the server could not be reached.</summary>
    public const string Unreachable = "unreachable";

    /// <summary>Client: the answer was not what the contract describes (not JSON, no <c>data</c>).</summary>
    public const string UnexpectedResponse = "unexpected_response";
}
