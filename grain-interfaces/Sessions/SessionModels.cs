using Widgets.Catalogue;
using Widgets.Keys;

namespace Widgets.Sessions;

public enum SessionState
{
    Active,
    Completed,
    TimedOut,
    Cancelled,
    Superseded,
}

/// <summary>What the POS tells us about the customer; any field may be empty.</summary>
[GenerateSerializer, Immutable, Alias("Widgets.CustomerProfile")]
public sealed record CustomerProfile
{
    /// <summary>No details given; shared, since a profile is replaced, never changed.</summary>
    public static CustomerProfile None { get; } = new();

    [Id(0)] public string? FirstName { get; init; }
    [Id(1)] public string? LastName { get; init; }
    [Id(2)] public string? CustomerEmail { get; init; }
    [Id(3)] public string? CustomerPhone { get; init; }
    [Id(4)] public string? SalesPerson { get; init; }
}

/// <summary>Everything a session needs to run on its own: what it keeps of its widget, as the widget was at start.</summary>
[GenerateSerializer, Immutable, Alias("Widgets.SessionStartInfo")]
public sealed record SessionStartInfo(
    [property: Id(0)] LocationKey Location,
    [property: Id(1)] string TerminalId,
    [property: Id(7)] SessionWidget Widget,
    [property: Id(3)] string? CouponId,
    [property: Id(4)] string? StartFingerprint = null,
    [property: Id(5)] string? TimeZone = null,
    [property: Id(6)] bool FeedWatched = false);

/// <summary>The location's go-ahead for a start on one of its terminals: the widget as a session keeps it, and the location's time zone.</summary>
[GenerateSerializer, Immutable, Alias("Widgets.StartTicket")]
public sealed record StartTicket([property: Id(0)] SessionWidget Widget, [property: Id(1)] string TimeZone);

[GenerateSerializer, Immutable, Alias("Widgets.SessionStarted")]
public sealed record SessionStarted(
    [property: Id(0)] string SessionId,
    [property: Id(1)] DateTimeOffset ExpiresAt,
    [property: Id(2)] int TimeoutSeconds);

/// <summary>The POS's claim of which session it is talking about; it must match the session's own record.</summary>
[GenerateSerializer, Immutable, Alias("Widgets.SessionAddress")]
public sealed record SessionAddress(
    [property: Id(0)] LocationKey Location,
    [property: Id(1)] string? TerminalId,
    [property: Id(2)] int? WidgetId);

[GenerateSerializer, Immutable, Alias("Widgets.Interaction")]
public sealed record Interaction(
    [property: Id(0)] SessionAddress Address,
    [property: Id(1)] CustomerProfile? Profile,
    [property: Id(2)] string? CouponId,
    [property: Id(3)] RequestKey? Idempotency = null);

[GenerateSerializer, Immutable, Alias("Widgets.SessionTiming")]
public sealed record SessionTiming([property: Id(0)] DateTimeOffset ExpiresAt, [property: Id(1)] int TimeoutSeconds);

[GenerateSerializer, Immutable, Alias("Widgets.SessionView")]
public sealed record SessionView
{
    [Id(0)] public string SessionId { get; init; } = "";
    [Id(1)] public LocationKey Location { get; init; }
    [Id(2)] public int WidgetId { get; init; }
    [Id(3)] public string TerminalId { get; init; } = "";
    [Id(4)] public SessionState State { get; init; }
    [Id(5)] public DateTimeOffset StartedAt { get; init; }
    [Id(6)] public DateTimeOffset LastInteractionAt { get; init; }
    [Id(7)] public DateTimeOffset ExpiresAt { get; init; }
    [Id(8)] public DateTimeOffset? EndedAt { get; init; }
    [Id(9)] public string? EndReason { get; init; }
    [Id(10)] public IReadOnlyList<MessageRecord> Messages { get; init; } = [];
    [Id(11)] public DateTimeOffset? ConvertedAt { get; init; }
    [Id(12)] public DateTimeOffset? QrShownAt { get; init; }
    [Id(13)] public DateTimeOffset? ScannedAt { get; init; }
    [Id(14)] public int TimeoutSeconds { get; init; }
}
