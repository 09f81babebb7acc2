namespace Widgets.Common;

/// <summary>Domain failures a grain reports; the gateway maps each to one problem+json status and code.</summary>
public enum DomainError
{
    None = 0,
    LocationNotFound,
    WidgetNotFound,
    TerminalNotFound,
    SessionNotFound,
    SessionEnded,
    VersionMismatch,
    Validation,
    RecipientRequired,
    ChannelNotAllowed,
    InvalidPhone,
    InvalidEmail,
    ClientExists,
    ClientNotFound,
    AlreadyEntered,
    ConsentRequired,
    CouponsExhausted,
    IdempotencyConflict,
}
