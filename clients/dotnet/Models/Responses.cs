namespace Widgets.Client;

/// <summary>A widget live at the location, as <c>widgets/list</c> returns it.</summary>
public sealed record Widget
{
    /// <summary>The widget's id (pass it to <c>widget/start</c>).</summary>
    public int Id { get; init; }

    /// <summary>The name to show on the POS button.</summary>
    public string Name { get; init; } = "";

    /// <summary>The icon's URL.</summary>
    public string? Icon { get; init; }

    /// <summary>A one-line description.</summary>
    public string? Description { get; init; }

    /// <summary>Extension: the widget's type (loyaltyEnrollment, promotionSignup, contactCollection, couponDelivery, survey, contestEntry).</summary>
    public string? Type { get; init; }

    /// <summary>Extension: where the widget is offered (<see cref="WidgetContexts"/>).</summary>
    public IReadOnlyList<string> Contexts { get; init; } = [];

    /// <summary>Extension: how the customer can be reached (<see cref="WidgetChannels"/>).</summary>
    public IReadOnlyList<string> Channels { get; init; } = [];

    /// <summary>Extension: seconds without interaction after which a session of this widget times out.</summary>
    public int? TimeoutSeconds { get; init; }
}

/// <summary>The answer of <see cref="IWidgetsClient.ListWidgetsAsync"/>: the widgets and whether the cached list was still current.</summary>
/// <param name="Widgets">The widgets live now, in the order to show them.</param>
/// <param name="ETag">The list's version; sent back as <c>If-None-Match</c> on the next call.</param>
/// <param name="NotModified">True when the server answered 304 and the client returned its cached copy.</param>
public sealed record WidgetList(IReadOnlyList<Widget> Widgets, string? ETag, bool NotModified);

/// <summary>A session that <c>widget/start</c> started.</summary>
public sealed record StartedSession
{
    /// <summary>The session's id, for every later call.</summary>
    public string SessionId { get; init; } = "";

    /// <summary>A page for the customer-facing screen that shows the QR code.</summary>
    public string QrCodePreviewHtmlLinkUrl { get; init; } = "";

    /// <summary>Extension: when the session times out unless there is interaction.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Extension: the inactivity timeout in seconds.</summary>
    public int? TimeoutSeconds { get; init; }

    /// <summary>Extension: the session's URL (<c>GET</c> it for its state).</summary>
    public string? StatusUrl { get; init; }

    /// <summary>Extension: the terminal's server-sent event stream.</summary>
    public string? EventsUrl { get; init; }
}

/// <summary>What <c>widget/showQrCode</c> returns.</summary>
public sealed record QrCode
{
    /// <summary>An HTML page for the customer-facing screen that shows the QR code.</summary>
    public string QrCodeHtmlLinkUrl { get; init; } = "";

    /// <summary>Extension: the URL the QR code encodes (the customer's landing page).</summary>
    public string? LandingUrl { get; init; }

    /// <summary>Extension: the QR code as a PNG image.</summary>
    public string? QrCodePngUrl { get; init; }

    /// <summary>Extension: the QR code as an SVG image.</summary>
    public string? QrCodeSvgUrl { get; init; }

    /// <summary>Extension: the session's new inactivity deadline (showing the code counts as interaction).</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>What <c>widget/sendMessage</c> returns.</summary>
public sealed record SentMessages
{
    /// <summary>Extension: one entry per message (empty from a server that answers ClearLine's bare <c>{}</c>).</summary>
    public IReadOnlyList<SentMessage> Messages { get; init; } = [];
}

/// <summary>One message of a session.</summary>
public sealed record SentMessage
{
    /// <summary>The message's id.</summary>
    public string MessageId { get; init; } = "";

    /// <summary><see cref="WidgetChannels.Sms"/> or <see cref="WidgetChannels.Email"/>.</summary>
    public string Channel { get; init; } = "";

    /// <summary>The recipient, masked.</summary>
    public string To { get; init; } = "";

    /// <summary>What became of it (<see cref="MessageStatuses"/>).</summary>
    public string Status { get; init; } = "";

    /// <summary>Why it was suppressed or failed, e.g. <c>quietHours</c>, <c>optedOut</c>.</summary>
    public string? Reason { get; init; }
}

/// <summary>A session's state, as <c>GET widget/sessions/{sessionId}</c> and <c>cancel</c> return it.</summary>
public sealed record Session
{
    /// <summary>The session's id.</summary>
    public string SessionId { get; init; } = "";

    /// <summary>The session's widget.</summary>
    public int WidgetId { get; init; }

    /// <summary>The session's terminal.</summary>
    public string TerminalId { get; init; } = "";

    /// <summary>The state (<see cref="SessionStates"/>).</summary>
    public string State { get; init; } = "";

    /// <summary>When it started.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>The last interaction (start, QR shown, message sent, scan).</summary>
    public DateTimeOffset LastInteractionAt { get; init; }

    /// <summary>When it times out unless there is interaction (or when it was due to, once ended).</summary>
    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>When it ended; null while active.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Why it ended, in words.</summary>
    public string? EndReason { get; init; }

    /// <summary>The messages sent in the session.</summary>
    public IReadOnlyList<SentMessage> Messages { get; init; } = [];

    /// <summary>True once the session is no longer <see cref="SessionStates.Active"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsEnded => State != SessionStates.Active;
}

/// <summary>What <c>carousel</c> returns: the link a kiosk browser on the customer-facing display opens once and keeps open.</summary>
public sealed record CarouselLink
{
    /// <summary>The terminal's own screen page.</summary>
    public string Url { get; init; } = "";

    /// <summary>Extension: when the link stops working; null while it lives until revoked.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}
