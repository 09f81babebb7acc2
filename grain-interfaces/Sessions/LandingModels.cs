using Widgets.Catalogue;
using Widgets.Keys;

namespace Widgets.Sessions;

/// <summary>What the mobile landing page needs to render a widget's form.</summary>
[GenerateSerializer, Immutable, Alias("Widgets.LandingView")]
public sealed record LandingView
{
    [Id(0)] public string SessionId { get; init; } = "";
    [Id(1)] public LocationKey Location { get; init; }
    [Id(2)] public WidgetDefinition Widget { get; init; } = new();
    [Id(3)] public CustomerProfile Profile { get; init; } = new();
    [Id(4)] public bool Converted { get; init; }
    [Id(5)] public string? CouponCode { get; init; }

    /// <summary>Whether the session still runs; an ended session's page shows nothing of the POS's profile.</summary>
    [Id(6)] public bool Ended { get; init; }
}

/// <summary>The landing form's fields as the customer submitted them (already size-limited by the gateway).</summary>
[GenerateSerializer, Immutable, Alias("Widgets.LandingSubmission")]
public sealed record LandingSubmission
{
    [Id(0)] public string? FirstName { get; init; }
    [Id(1)] public string? LastName { get; init; }
    [Id(2)] public string? Email { get; init; }
    [Id(3)] public string? Phone { get; init; }
    [Id(4)] public bool Consent { get; init; }
    [Id(5)] public string? ConsentText { get; init; }
    [Id(6)] public IReadOnlyDictionary<string, string> Answers { get; init; } = new Dictionary<string, string>();
    [Id(7)] public bool AcceptRules { get; init; }
}

[GenerateSerializer, Immutable, Alias("Widgets.ConversionReceipt")]
public sealed record ConversionReceipt(
    [property: Id(0)] WidgetType Type,
    [property: Id(1)] string? CouponCode,
    [property: Id(2)] bool AlreadyConverted);

/// <summary>One customer submission, as operators see it in the conversions view.</summary>
[GenerateSerializer, Immutable, Alias("Widgets.ConversionRecord")]
public sealed record ConversionRecord
{
    [Id(0)] public string SessionId { get; init; } = "";
    [Id(1)] public int WidgetId { get; init; }
    [Id(2)] public WidgetType WidgetType { get; init; }
    [Id(3)] public string TerminalId { get; init; } = "";
    [Id(4)] public DateTimeOffset At { get; init; }
    [Id(5)] public string? FirstName { get; init; }
    [Id(6)] public string? LastName { get; init; }
    [Id(7)] public string? Email { get; init; }
    [Id(8)] public string? Phone { get; init; }
    [Id(9)] public ConsentRecord? Consent { get; init; }
    [Id(10)] public IReadOnlyDictionary<string, string>? Answers { get; init; }
    [Id(11)] public string? CouponCode { get; init; }

    /// <summary>When the customer's contact details and answers were erased (on request or after the retention period); null while kept.</summary>
    [Id(12)] public DateTimeOffset? ErasedAt { get; init; }

    /// <summary>
    /// The record without what identifies or was said by the customer (names, email, phone, answers): what stays is
    /// that a conversion happened, where and when, with which consent and coupon.
    /// </summary>
    public ConversionRecord WithoutPersonalData(DateTimeOffset at) =>
        this with { FirstName = null, LastName = null, Email = null, Phone = null, Answers = null, ErasedAt = at };
}

/// <summary>What the customer-facing screen shows: headline, deadline and state.</summary>
[GenerateSerializer, Immutable, Alias("Widgets.ScreenView")]
public sealed record ScreenView(
    [property: Id(0)] string SessionId,
    [property: Id(1)] string Headline,
    [property: Id(2)] string? Body,
    [property: Id(3)] SessionState State,
    [property: Id(4)] DateTimeOffset ExpiresAt,
    [property: Id(5)] bool Scanned,
    [property: Id(6)] bool Converted);
