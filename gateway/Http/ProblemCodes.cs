namespace Widgets.Gateway.Http;

/// <summary>One kind of refusal: its stable <c>code</c>, HTTP status, title, and what it means to the caller.</summary>
public sealed record ProblemCode(string Code, int Status, string Title, string Meaning);

/// <summary>
/// Every problem+json <c>code</c> the gateway answers with, in one table: <see cref="Problems"/> builds responses from
/// it and the OpenAPI document lists, per operation, the entries that operation can return.
/// </summary>
public static class ProblemCodes
{
    public static readonly ProblemCode ValidationFailed = new("validation_failed", 400, "Invalid request",
        "One or more fields are invalid; `errors` names each field with what is wrong.");

    public static readonly ProblemCode InvalidJson = new("invalid_json", 400, "Invalid JSON", "The body is not a JSON object.");

    public static readonly ProblemCode InvalidIdempotencyKey = new("invalid_idempotency_key", 400, "Invalid Idempotency-Key",
        "Idempotency-Key must be one value of 1–64 visible ASCII characters.");

    public static readonly ProblemCode BadRequest = new("bad_request", 400, "Bad request", "The request could not be read (malformed path, headers or body).");

    public static readonly ProblemCode RecipientRequired = new("recipient_required", 400, "Recipient required",
        "Neither profile.customerPhone nor profile.customerEmail is filled (or not the one `channel` names).");

    public static readonly ProblemCode ChannelNotAllowed = new("channel_not_allowed", 400, "Channel not allowed",
        "The widget is not offered on the channel asked for.");

    public static readonly ProblemCode InvalidPhone = new("invalid_phone", 400, "Invalid phone number", "profile.customerPhone is not a valid mobile number.");

    public static readonly ProblemCode InvalidEmail = new("invalid_email", 400, "Invalid email address", "profile.customerEmail is not a valid email address.");

    public static readonly ProblemCode ConsentRequired = new("consent_required", 400, "Consent required", "The customer's consent is required for this.");

    // OAuth2's own error codes (RFC 6749 §5.2), answered by /connect/token with `error` and `error_description` too.
    public static readonly ProblemCode InvalidRequest = new("invalid_request", 400, "invalid_request",
        "The token request is not a form of grant_type=client_credentials&scope=….");

    public static readonly ProblemCode UnsupportedGrantType = new("unsupported_grant_type", 400, "unsupported_grant_type", "Only grant_type=client_credentials is supported.");

    public static readonly ProblemCode InvalidScope = new("invalid_scope", 400, "invalid_scope", "The client is not granted a scope it asked for.");

    public static readonly ProblemCode InvalidClient = new("invalid_client", 401, "invalid_client", "Unknown client or wrong secret.");

    public static readonly ProblemCode Unauthorized = new("unauthorized", 401, "Unauthorized",
        "No bearer token, or an expired, forged or revoked one: get a new token from POST /connect/token.");

    public static readonly ProblemCode InsufficientScope = new("insufficient_scope", 403, "Forbidden", "The token's scope does not allow this operation.");

    public static readonly ProblemCode NotFound = new("not_found", 404, "Not found", "No such route.");

    public static readonly ProblemCode LocationNotFound = new("location_not_found", 404, "Location not found",
        "No such location for this client (a location the client is not granted answers the same).");

    public static readonly ProblemCode WidgetNotFound = new("widget_not_found", 404, "Widget not found", "No such widget, or not active now at this location.");

    public static readonly ProblemCode TerminalNotFound = new("terminal_not_found", 404, "Terminal not found", "The terminal is not registered at this location.");

    public static readonly ProblemCode SessionNotFound = new("session_not_found", 404, "Session not found",
        "No session with this id for this location, terminal and widget.");

    public static readonly ProblemCode ClientNotFound = new("client_not_found", 404, "Client not found", "No API client with this id.");

    public static readonly ProblemCode LinkExpired = new("link_expired", 404, "Link expired", "The link's token is expired, revoked or not ours.");

    public static readonly ProblemCode MethodNotAllowed = new("method_not_allowed", 405, "Method not allowed", "The route exists but not for this method.");

    public static readonly ProblemCode SessionEnded = new("session_ended", 409, "Session ended", "The session already ended; start a new one.");

    public static readonly ProblemCode ClientExists = new("client_exists", 409, "Client exists", "An API client with this id already exists.");

    public static readonly ProblemCode AlreadyEntered = new("already_entered", 409, "Already entered", "This contact already entered this contest.");

    public static readonly ProblemCode CouponsExhausted = new("coupons_exhausted", 409, "No coupons left", "Every coupon code of this widget was handed out.");

    public static readonly ProblemCode VersionMismatch = new("version_mismatch", 412, "Precondition failed",
        "If-Match does not hold the current ETag: someone changed the resource since you read it.");

    public static readonly ProblemCode PayloadTooLarge = new("payload_too_large", 413, "Payload too large", "JSON bodies are limited to 64 KB.");

    public static readonly ProblemCode UnsupportedMediaType = new("unsupported_media_type", 415, "Unsupported media type",
        "Send the body as application/json (application/json-patch+json is accepted too).");

    public static readonly ProblemCode IdempotencyKeyReused = new("idempotency_key_reused", 422, "Idempotency-Key reused",
        "This Idempotency-Key was used before with a different request.");

    public static readonly ProblemCode RateLimited = new("rate_limited", 429, "Too many requests", "Slow down; retry after the seconds in Retry-After.");

    public static readonly ProblemCode InternalError = new("internal_error", 500, "Internal error", "Something went wrong on our side; it has been logged.");

    public static readonly ProblemCode Unavailable = new("unavailable", 503, "Service unavailable",
        "The cluster is failing over or not ready; retry after the seconds in Retry-After.");

    /// <summary>The code a grain's <see cref="DomainError"/> is answered with.</summary>
    public static ProblemCode For(DomainError error) => error switch
    {
        DomainError.LocationNotFound => LocationNotFound,
        DomainError.WidgetNotFound => WidgetNotFound,
        DomainError.TerminalNotFound => TerminalNotFound,
        DomainError.SessionNotFound => SessionNotFound,
        DomainError.ClientNotFound => ClientNotFound,
        DomainError.SessionEnded => SessionEnded,
        DomainError.ClientExists => ClientExists,
        DomainError.AlreadyEntered => AlreadyEntered,
        DomainError.CouponsExhausted => CouponsExhausted,
        DomainError.VersionMismatch => VersionMismatch,
        DomainError.IdempotencyConflict => IdempotencyKeyReused,
        DomainError.RecipientRequired => RecipientRequired,
        DomainError.ChannelNotAllowed => ChannelNotAllowed,
        DomainError.InvalidPhone => InvalidPhone,
        DomainError.InvalidEmail => InvalidEmail,
        DomainError.ConsentRequired => ConsentRequired,
        _ => ValidationFailed,
    };
}
