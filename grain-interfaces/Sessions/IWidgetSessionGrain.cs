using Widgets.Common;

namespace Widgets.Sessions;

/// <summary>One customer interaction with one widget on one terminal (key: the session id).</summary>
public interface IWidgetSessionGrain : IGrainWithStringKey
{
    Task<Outcome<SessionStarted>> Start(SessionStartInfo info);

    /// <summary>The first answer of a keyed start when this session was started with that fingerprint; null when never started.</summary>
    Task<Outcome<SessionStarted>?> ReplayStart(string fingerprint);

    /// <summary>The session as the POS sees it; null when no session has this id.</summary>
    Task<SessionView?> GetView();

    /// <summary>The POS shows the QR code: an interaction that pushes the deadline.</summary>
    Task<Outcome<SessionTiming>> ShowQrCode(Interaction interaction);

    /// <summary>Sends the landing link to each recipient once per session, channel and address.</summary>
    Task<Outcome<IReadOnlyList<MessageRecord>>> SendMessage(SendMessageCommand command);

    Task<Outcome<SessionView>> Cancel(SessionAddress address);

    /// <summary>The SMS provider reports what became of a message (delivered, failed, …).</summary>
    Task<bool> UpdateDelivery(string messageId, MessageStatus status, string? error);

    /// <summary>A screen started listening to this session's terminal: publish the session's events from now on.</summary>
    Task WatchFeed();

    /// <summary>The terminal started another session; ends this one unless it already ended.</summary>
    Task Supersede();

    /// <summary>The customer's phone opened the landing page: records the scan.</summary>
    Task<Outcome<LandingView>> OpenLanding();

    /// <summary>The customer submitted the landing form: a conversion.</summary>
    Task<Outcome<ConversionReceipt>> SubmitLanding(LandingSubmission submission);

    [ReadOnly]
    Task<ScreenView?> GetScreen();

    /// <summary>Ends the session if its deadline has passed; safe to call any number of times.</summary>
    Task ExpireIfDue();

    /// <summary>
    /// Erases the customer's details from the session (profile, message addresses, their outbox copies); its steps,
    /// and so the funnel counts, stay. Active sessions keep running. Safe to call any number of times.
    /// </summary>
    Task<Privacy.SessionErasure> ErasePersonalData();
}
