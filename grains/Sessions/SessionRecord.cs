using Widgets.Catalogue;
using Widgets.Keys;
using Widgets.Sessions;

namespace Widgets.Grains.Sessions;

/// <summary>A session's persisted state.</summary>
[GenerateSerializer, Alias("Widgets.SessionRecord")]
public sealed class SessionRecord
{
    private static readonly SessionWidget NoWidget = new();

    [Id(0)] public LocationKey Location { get; set; }
    [Id(1)] public string TerminalId { get; set; } = "";

    /// <summary>What the session keeps of its widget, as it was at start.</summary>
    [Id(20)] public SessionWidget Widget { get; set; } = NoWidget;

    /// <summary>
    /// Sessions stored by earlier builds kept their widget's whole definition here (its coupon pool included); it is
    /// read once into <see cref="Widget"/> (<see cref="UpgradeFromEarlierBuild"/>) and no longer stored.
    /// </summary>
    [Id(2)] public WidgetDefinition? LegacyWidget { get; set; }

    [Id(3)] public string? CouponId { get; set; }
    [Id(4)] public CustomerProfile Profile { get; set; } = CustomerProfile.None;
    [Id(5)] public SessionState State { get; set; }
    [Id(6)] public DateTimeOffset StartedAt { get; set; }
    [Id(7)] public DateTimeOffset LastInteractionAt { get; set; }
    [Id(8)] public DateTimeOffset ExpiresAt { get; set; }
    [Id(9)] public DateTimeOffset? EndedAt { get; set; }
    [Id(10)] public string? EndReason { get; set; }
    [Id(11)] public DateTimeOffset? QrShownAt { get; set; }
    [Id(12)] public DateTimeOffset? ScannedAt { get; set; }
    [Id(13)] public DateTimeOffset? ConvertedAt { get; set; }
    /// <summary>Null until the first message: most sessions never send one, and a live session's bytes add up.</summary>
    [Id(14)] public List<MessageRecord>? Messages { get; set; }
    [Id(15)] public string? CouponCode { get; set; }
    [Id(16)] public string? StartFingerprint { get; set; }
    [Id(18)] public string? TimeZone { get; set; }

    /// <summary>Whether a screen listens to the terminal's events; a session of an unwatched terminal publishes nothing.</summary>
    [Id(19)] public bool FeedWatched { get; set; }

    /// <summary>
    /// Whether the session keeps a row in the session journal (the funnel counts). Sessions started by earlier builds
    /// were counted by the day's counters then and keep no row, so none of their steps is counted twice.
    /// </summary>
    [Id(21)] public bool Journaled { get; set; }

    /// <summary>Answers given to keyed requests, by Idempotency-Key, so a retry replays instead of acting twice.</summary>
    [Id(17)] public Dictionary<string, ReplayEntry>? Replays { get; set; }

    /// <summary>Whether the record still holds something that identifies the customer: a profile or a message address.</summary>
    public bool HoldsPersonalData =>
        Profile != CustomerProfile.None || Messages?.Any(m => m.To.Length > 0 || m.Error is not null) == true;

    /// <summary>
    /// Forgets who the customer was: the profile, and each message's address and provider error (which may quote it).
    /// The steps (QR shown, messages sent, scanned, converted) stay, and with them the funnel counts.
    /// </summary>
    public void ErasePersonalData()
    {
        Profile = CustomerProfile.None;
        for (var i = 0; Messages is { } messages && i < messages.Count; i++)
        {
            messages[i] = messages[i] with { To = "", Error = null };
        }
    }

    /// <summary>Reads a record stored by an earlier build into the current shape (in memory; stored with the next write).</summary>
    public void UpgradeFromEarlierBuild()
    {
        if (LegacyWidget is { } legacy)
        {
            Widget = SessionWidget.From(legacy);
            LegacyWidget = null;
        }
    }

    public SessionView ToView(string sessionId) => new()
    {
        SessionId = sessionId,
        Location = Location,
        WidgetId = Widget.Id,
        TerminalId = TerminalId,
        State = State,
        StartedAt = StartedAt,
        LastInteractionAt = LastInteractionAt,
        ExpiresAt = ExpiresAt,
        EndedAt = EndedAt,
        EndReason = EndReason,
        Messages = Messages is null ? [] : [.. Messages],
        ConvertedAt = ConvertedAt,
        QrShownAt = QrShownAt,
        ScannedAt = ScannedAt,
        TimeoutSeconds = Widget.TimeoutSeconds,
    };
}

[GenerateSerializer, Alias("Widgets.ReplayEntry")]
public sealed class ReplayEntry
{
    [Id(0)] public string Fingerprint { get; set; } = "";
    [Id(1)] public SessionTiming? Timing { get; set; }
    [Id(2)] public List<string>? MessageIds { get; set; }
}
