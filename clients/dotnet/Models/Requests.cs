namespace Widgets.Client;

/// <summary>The body of <c>POST /v2/pos/{posSystemId}/widgets/list</c>.</summary>
public sealed record ListWidgetsRequest
{
    /// <summary>The location whose live widgets are listed.</summary>
    public required string PosLocationId { get; init; }

    /// <summary>Extension: the terminal asking (counted in the funnel per terminal).</summary>
    public string? TerminalId { get; init; }

    /// <summary>Extension: only widgets configured for this context (<see cref="WidgetContexts"/>).</summary>
    public string? Context { get; init; }
}

/// <summary>The body of <c>POST /v2/pos/{posSystemId}/widget/start</c>.</summary>
public sealed record StartSessionRequest
{
    /// <summary>The location of the terminal.</summary>
    public required string PosLocationId { get; init; }

    /// <summary>The terminal (lane) the customer is at; it must be registered for the location.</summary>
    public required string TerminalId { get; init; }

    /// <summary>The id of a listed widget.</summary>
    public required int WidgetId { get; init; }

    /// <summary>An optional coupon of the POS's own to pass along.</summary>
    public string? CouponId { get; init; }
}

/// <summary>What the POS knows about the customer; every field may be empty.</summary>
public sealed record CustomerProfile
{
    /// <summary>The customer's first name (greets them in messages).</summary>
    public string FirstName { get; init; } = "";

    /// <summary>The customer's last name.</summary>
    public string LastName { get; init; } = "";

    /// <summary>Where <c>sendMessage</c> sends the email, if filled.</summary>
    public string CustomerEmail { get; init; } = "";

    /// <summary>Where <c>sendMessage</c> sends the SMS, if filled (E.164 preferred, e.g. <c>+14155550123</c>).</summary>
    public string CustomerPhone { get; init; } = "";

    /// <summary>Who served the customer.</summary>
    public string SalesPerson { get; init; } = "";
}

/// <summary>The body of <c>POST /v2/pos/{posSystemId}/widget/showQrCode</c>.</summary>
public sealed record ShowQrCodeRequest
{
    /// <summary>The session's widget.</summary>
    public required int WidgetId { get; init; }

    /// <summary>The <see cref="StartedSession.SessionId"/> of <c>widget/start</c>.</summary>
    public required string SessionId { get; init; }

    /// <summary>The session's location.</summary>
    public required string PosLocationId { get; init; }

    /// <summary>The session's terminal.</summary>
    public required string TerminalId { get; init; }

    /// <summary>The customer, as far as the POS knows them.</summary>
    public CustomerProfile Profile { get; init; } = new();

    /// <summary>An optional coupon of the POS's own.</summary>
    public string? CouponId { get; init; }
}

/// <summary>The body of <c>POST /v2/pos/{posSystemId}/widget/sendMessage</c>.</summary>
public sealed record SendMessageRequest
{
    /// <summary>The session's widget.</summary>
    public required int WidgetId { get; init; }

    /// <summary>The <see cref="StartedSession.SessionId"/> of <c>widget/start</c>.</summary>
    public required string SessionId { get; init; }

    /// <summary>The session's location.</summary>
    public required string PosLocationId { get; init; }

    /// <summary>The session's terminal.</summary>
    public required string TerminalId { get; init; }

    /// <summary>The recipient: SMS to <see cref="CustomerProfile.CustomerPhone"/> and/or email to <see cref="CustomerProfile.CustomerEmail"/>, whichever are filled.</summary>
    public required CustomerProfile Profile { get; init; }

    /// <summary>An optional coupon of the POS's own.</summary>
    public string? CouponId { get; init; }

    /// <summary>Extension: only this channel (<see cref="WidgetChannels.Sms"/> or <see cref="WidgetChannels.Email"/>); null uses whichever contact is filled.</summary>
    public string? Channel { get; init; }

    /// <summary>Extension: the customer's marketing consent as the POS recorded it.</summary>
    public MessageConsent? Consent { get; init; }
}

/// <summary>Marketing consent given at the POS.</summary>
public sealed record MessageConsent
{
    /// <summary>Whether the customer agreed to marketing messages.</summary>
    public bool Marketing { get; init; }

    /// <summary>The consent text the customer was shown.</summary>
    public string? Text { get; init; }
}

/// <summary>The body of <c>POST /v2/pos/{posSystemId}/carousel</c>.</summary>
public sealed record CarouselRequest
{
    /// <summary>The terminal's location.</summary>
    public required string PosLocationId { get; init; }

    /// <summary>The terminal whose customer-facing screen link is wanted; it must be registered.</summary>
    public required string TerminalId { get; init; }
}
