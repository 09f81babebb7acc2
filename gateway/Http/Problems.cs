namespace Widgets.Gateway.Http;

/// <summary>Maps domain failures to problem+json, once, with the stable codes of the contract.</summary>
public static class Problems
{
    public static IResult From<T>(Outcome<T> outcome) =>
        outcome.Error == DomainError.Validation && outcome.Errors is { } errors
            ? Validation(errors.ToDictionary(e => e.Key, e => e.Value))
            : Status(outcome.Error, outcome.Detail);

    public static IResult Status(DomainError error, string? detail)
    {
        var (status, code, title) = Describe(error);
        return Result(status, code, title, detail);
    }

    public static IResult Result(int status, string code, string title, string? detail) =>
        TypedResults.Problem(detail, statusCode: status, title: title, extensions: new Dictionary<string, object?> { ["code"] = code });

    public static IResult Validation(IDictionary<string, string[]> errors, string? detail = null) =>
        TypedResults.ValidationProblem(errors, detail ?? "One or more fields are invalid.", title: "Invalid request",
            extensions: new Dictionary<string, object?> { ["code"] = "validation_failed" });

    public static IResult Field(string field, string message) => Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static IResult NotFound(string code, string detail) => Result(StatusCodes.Status404NotFound, code, "Not found", detail);

    public static (int Status, string Code, string Title) Describe(DomainError error) => error switch
    {
        DomainError.LocationNotFound => (404, "location_not_found", "Location not found"),
        DomainError.WidgetNotFound => (404, "widget_not_found", "Widget not found"),
        DomainError.TerminalNotFound => (404, "terminal_not_found", "Terminal not found"),
        DomainError.SessionNotFound => (404, "session_not_found", "Session not found"),
        DomainError.ClientNotFound => (404, "client_not_found", "Client not found"),
        DomainError.SessionEnded => (409, "session_ended", "Session ended"),
        DomainError.ClientExists => (409, "client_exists", "Client exists"),
        DomainError.AlreadyEntered => (409, "already_entered", "Already entered"),
        DomainError.CouponsExhausted => (409, "coupons_exhausted", "No coupons left"),
        DomainError.VersionMismatch => (412, "version_mismatch", "Precondition failed"),
        DomainError.IdempotencyConflict => (422, "idempotency_key_reused", "Idempotency-Key reused"),
        DomainError.RecipientRequired => (400, "recipient_required", "Recipient required"),
        DomainError.ChannelNotAllowed => (400, "channel_not_allowed", "Channel not allowed"),
        DomainError.InvalidPhone => (400, "invalid_phone", "Invalid phone number"),
        DomainError.InvalidEmail => (400, "invalid_email", "Invalid email address"),
        DomainError.ConsentRequired => (400, "consent_required", "Consent required"),
        _ => (400, "validation_failed", "Invalid request"),
    };
}
