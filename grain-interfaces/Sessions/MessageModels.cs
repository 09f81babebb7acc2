using Widgets.Catalogue;

namespace Widgets.Sessions;

/// <summary>What became of a message. Stored as a number: new values only ever go at the end.</summary>
public enum MessageStatus
{
    /// <summary>Recorded and being handed to the provider; a record still queued after that call returned never was.</summary>
    Queued,
    Sent,
    Delivered,
    Failed,
    Suppressed,

    /// <summary>
    /// Handed to the provider, but the process stopped before its answer was recorded: the customer may or may not
    /// have it. Never sent again automatically (docs/DECISIONS.md "Message delivery states"); the provider's delivery
    /// report settles it.
    /// </summary>
    Unknown,
}

[GenerateSerializer, Immutable, Alias("Widgets.ConsentRecord")]
public sealed record ConsentRecord
{
    [Id(0)] public bool Marketing { get; init; }
    [Id(1)] public string? Text { get; init; }
    [Id(2)] public DateTimeOffset At { get; init; }
    [Id(3)] public string? TerminalId { get; init; }
    [Id(4)] public string? SalesPerson { get; init; }
}

/// <summary>A recipient the gateway has already validated and normalised (E.164 phone, parsed email).</summary>
[GenerateSerializer, Immutable, Alias("Widgets.Recipient")]
public sealed record Recipient(
    [property: Id(0)] WidgetChannel Channel,
    [property: Id(1)] string Address,
    [property: Id(2)] string? UnsubscribeUrl = null);

[GenerateSerializer, Immutable, Alias("Widgets.SendMessageCommand")]
public sealed record SendMessageCommand(
    [property: Id(0)] Interaction Interaction,
    [property: Id(1)] IReadOnlyList<Recipient> Recipients,
    [property: Id(2)] string LandingUrl,
    [property: Id(3)] ConsentRecord? Consent,
    [property: Id(4)] string? StatusCallbackBase = null);

[GenerateSerializer, Immutable, Alias("Widgets.MessageRecord")]
public sealed record MessageRecord
{
    [Id(0)] public string MessageId { get; init; } = "";
    [Id(1)] public WidgetChannel Channel { get; init; }
    [Id(2)] public string To { get; init; } = "";
    [Id(3)] public MessageStatus Status { get; init; }
    [Id(4)] public DateTimeOffset At { get; init; }
    [Id(5)] public ConsentRecord? Consent { get; init; }
    [Id(6)] public string? ProviderMessageId { get; init; }
    [Id(7)] public string? Error { get; init; }

    /// <summary>Why a message was not sent: optedOut, dailyLimit or quietHours.</summary>
    [Id(8)] public string? Reason { get; init; }
}

/// <summary>A message ready for a transport: text already rendered, landing URL included.</summary>
[GenerateSerializer, Immutable, Alias("Widgets.OutboundMessage")]
public sealed record OutboundMessage(
    [property: Id(0)] string MessageId,
    [property: Id(1)] WidgetChannel Channel,
    [property: Id(2)] string To,
    [property: Id(3)] string? Subject,
    [property: Id(4)] string Text,
    [property: Id(5)] string? Html,
    [property: Id(6)] string? UnsubscribeUrl = null,
    [property: Id(7)] string? StatusCallbackUrl = null);
