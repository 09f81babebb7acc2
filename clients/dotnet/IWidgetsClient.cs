namespace Widgets.Client;

/// <summary>
/// The POS surface of the Widgets API. Every call gets a token by itself, retries what is safe to retry (honouring
/// <c>Retry-After</c>), and turns an error answer into a <see cref="WidgetsApiException"/> with the contract's code.
/// </summary>
public interface IWidgetsClient
{
    /// <summary>
    /// The widgets live now at a location (<c>POST widgets/list</c>). The client keeps the last list per request and
    /// revalidates it with <c>If-None-Match</c>: while it is current the server answers 304 and the kept list comes back
    /// with <see cref="WidgetList.NotModified"/> set.
    /// </summary>
    Task<WidgetList> ListWidgetsAsync(ListWidgetsRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts a session of a widget on a terminal (<c>POST widget/start</c>); a session the terminal had is superseded.
    /// The call carries an <c>Idempotency-Key</c> that its retries repeat, so a retried start never starts a second
    /// session. Pass <paramref name="idempotencyKey"/> (1–64 visible ASCII characters) to keep the same guarantee across
    /// calls, e.g. the POS's own transaction id; by default a new key is made per call.
    /// </summary>
    Task<StartedSession> StartSessionAsync(StartSessionRequest request, string? idempotencyKey = null, CancellationToken cancellationToken = default);

    /// <summary>Shows the session's QR code on the customer-facing screen (<c>POST widget/showQrCode</c>); counts as interaction.</summary>
    Task<QrCode> ShowQrCodeAsync(ShowQrCodeRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends the widget's link by SMS and/or email (<c>POST widget/sendMessage</c>). Like start, it carries an
    /// <c>Idempotency-Key</c> its retries repeat, so a retried send never sends twice.
    /// </summary>
    Task<SentMessages> SendMessageAsync(SendMessageRequest request, string? idempotencyKey = null, CancellationToken cancellationToken = default);

    /// <summary>The session's current state (<c>GET widget/sessions/{sessionId}</c>).</summary>
    Task<Session> GetSessionAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Ends the session (<c>POST widget/sessions/{sessionId}/cancel</c>); an ended session is <c>session_ended</c> (409).</summary>
    Task<Session> CancelSessionAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>The terminal's customer-facing screen link (<c>POST carousel</c>): open it once in a kiosk browser and leave it open.</summary>
    Task<CarouselLink> GetCarouselAsync(CarouselRequest request, CancellationToken cancellationToken = default);
}
