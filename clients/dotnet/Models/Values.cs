namespace Widgets.Client;

// The contract's enumerations travel as strings and are kept as strings here: a value the server adds later reaches
// the caller instead of failing the whole response.

/// <summary>The states of a session.</summary>
public static class SessionStates
{
    /// <summary>Running: the customer can still scan or be messaged.</summary>
    public const string Active = "active";

    /// <summary>The customer completed the widget.</summary>
    public const string Completed = "completed";

    /// <summary>No interaction for the widget's timeout.</summary>
    public const string TimedOut = "timedOut";

    /// <summary>Cancelled by the POS.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>Another session started on the same terminal.</summary>
    public const string Superseded = "superseded";
}

/// <summary>Where a widget is offered.</summary>
public static class WidgetContexts
{
    /// <summary>During checkout.</summary>
    public const string Checkout = "checkout";

    /// <summary>On the idle screen.</summary>
    public const string Idle = "idle";

    /// <summary>After the purchase.</summary>
    public const string PostPurchase = "postPurchase";
}

/// <summary>How a customer can be reached.</summary>
public static class WidgetChannels
{
    /// <summary>A QR code on the customer-facing screen.</summary>
    public const string Qr = "qr";

    /// <summary>A text message.</summary>
    public const string Sms = "sms";

    /// <summary>An email.</summary>
    public const string Email = "email";
}

/// <summary>What became of a message.</summary>
public static class MessageStatuses
{
    /// <summary>Recorded, not handed to the provider yet.</summary>
    public const string Queued = "queued";

    /// <summary>Handed to the SMS or email provider.</summary>
    public const string Sent = "sent";

    /// <summary>The provider reported delivery.</summary>
    public const string Delivered = "delivered";

    /// <summary>The provider refused it.</summary>
    public const string Failed = "failed";

    /// <summary>Not sent on purpose (opt-out, quiet hours, daily limit).</summary>
    public const string Suppressed = "suppressed";
}
