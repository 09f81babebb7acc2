using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using Widgets.Clients;
using Widgets.Gateway.Auth;
using Widgets.Gateway.Http;
using Widgets.Gateway.Links;

namespace Widgets.Gateway.Pos;

/// <summary>
/// The ClearLine-compatible POS surface plus our session extensions. Every handler runs behind
/// <see cref="RequestScopeFilter"/>: its body is read and valid, its location granted, its terminal within limits.
/// </summary>
public static class PosEndpoints
{
    public const string Tag = "POS";

    private static readonly string ListCacheControl = new CacheControlHeaderValue { Private = true, MaxAge = TimeSpan.FromMinutes(15) }.ToString();

    public static IEndpointRouteBuilder MapPosEndpoints(this IEndpointRouteBuilder app)
    {
        var pos = app.MapGroup("/v2/pos/{posSystemId}").ForScope(Scopes.PosIntegration).RequireRateLimiting(RateLimits.PosPolicy)
            .ProducesProblems(ProblemCodes.RateLimited).WithTags(Tag);

        pos.MapPost("/widgets/list", List).WithName("listWidgets")
            .WithSummary("List the widgets live at a location")
            .WithDescription("The widgets active now (status and schedule) at the location, in the POS's display order; with `context`, only those configured for it. "
                + "Refresh every 15–30 minutes or when the POS starts; send the ETag back in If-None-Match to get 304 when nothing changed.")
            .WithRequestHeader(HeaderNames.IfNoneMatch, "The ETag of the list the POS holds; 304 when it is still current.")
            .WithResponseHeader(200, HeaderNames.ETag, "Identifies this list; changes exactly when the list does.")
            .WithResponseHeader(304, HeaderNames.ETag, "The ETag of the current list.")
            .WithResponseHeader(200, HeaderNames.CacheControl, "`private, max-age=900`.")
            .WithRequestExample("clearline", "ClearLine's request", PosExamples.List, "application/json-patch+json")
            .WithRequestExample("byContext", "Only the idle screen's widgets", PosExamples.ListIdle)
            .WithResponseExample(PosExamples.ListResponse);

        pos.MapPost("/widget/start", Start).WithName("startWidgetSession")
            .WithSummary("Start a widget session on a terminal")
            .WithDescription("The customer picked a widget: starts a session of it on the terminal (registered at the location). "
                + "A session already active on that terminal ends as `superseded`. The session times out after the widget's `timeoutSeconds` without interaction.")
            .ProducesProblems(DomainError.TerminalNotFound, DomainError.WidgetNotFound)
            .WithRequestExample("clearline", "ClearLine's request (widgetId as a string)", PosExamples.Start, "application/json-patch+json")
            .WithRequestExample("numeric", "widgetId as a number", PosExamples.StartNumeric)
            .WithResponseExample(PosExamples.StartResponse);

        pos.MapPost("/widget/showQrCode", ShowQrCode).WithName("showQrCode")
            .WithSummary("Show the session's QR code on the customer-facing screen")
            .WithDescription("Returns the screen page showing the QR code the customer scans to finish on their phone. Counts as an interaction: the inactivity deadline moves.")
            .ProducesProblems(DomainError.SessionNotFound, DomainError.SessionEnded)
            .WithRequestExample("clearline", "ClearLine's request", PosExamples.ShowQrCode, "application/json-patch+json")
            .WithResponseExample(PosExamples.ShowQrCodeResponse);

        pos.MapPost("/widget/sendMessage", SendMessage).WithName("sendMessage")
            .WithSummary("Send the widget's link by SMS and/or email")
            .WithDescription("Sends the landing link (and the widget's message text) to profile.customerPhone by SMS and/or profile.customerEmail by email, whichever are filled "
                + "(or only `channel`). A recipient who opted out, is over the daily limit or, for SMS, in quiet hours is `suppressed`. "
                + "A session sends at most one message per channel and recipient; with Idempotency-Key a retried call answers the first result.")
            .ProducesProblems(DomainError.SessionNotFound, DomainError.SessionEnded, DomainError.RecipientRequired, DomainError.InvalidPhone,
                DomainError.InvalidEmail, DomainError.ChannelNotAllowed)
            .WithRequestExample("clearline", "ClearLine's request", PosExamples.SendMessage, "application/json-patch+json")
            .WithRequestExample("smsWithConsent", "SMS only, with the consent the customer gave", PosExamples.SendSmsWithConsent)
            .WithResponseExample(PosExamples.SendMessageResponse);

        pos.MapGet("/widget/sessions/{sessionId}", GetSession).WithName("getWidgetSession")
            .WithSummary("Read a session")
            .WithDescription("The session's state and timing, and the messages sent for it (recipients masked). Reading is not an interaction.")
            .ProducesProblems(DomainError.SessionNotFound);

        pos.MapPost("/widget/sessions/{sessionId}/cancel", Cancel).WithName("cancelWidgetSession")
            .WithSummary("Cancel a session")
            .WithDescription("Ends the session as `cancelled` (e.g. the customer walked away); the screen returns to idle.")
            .ProducesProblems(DomainError.SessionNotFound, DomainError.SessionEnded);

        pos.MapTerminalEvents();
        return app;
    }

    private static async Task<Results<JsonBytesResult<DataEnvelope<IReadOnlyList<WidgetSummary>>>, NotModified>> List(
        PosBody<ListWidgetsRequest> request, HttpContext context, PushedListings listings, ListedCounts listed, ListingBodies bodies)
    {
        var body = request.Body;
        var widgetContext = body.ParsedContext();
        var listing = await listings.Get(request.Location, widgetContext);
        listed.Add(request.Location, body.TerminalId, widgetContext, listing);
        context.Response.Headers.ETag = listing.ETag;
        context.Response.Headers.CacheControl = ListCacheControl;
        return context.Request.Headers.IfNoneMatch.Contains(listing.ETag)
            ? NotModified.Instance
            : new JsonBytesResult<DataEnvelope<IReadOnlyList<WidgetSummary>>>(bodies.Get(request.Location, widgetContext, listing));
    }

    private static async Task<Results<Ok<DataEnvelope<StartSessionResponse>>, ProblemHttpResult>> Start(
        IdempotencyKey? key, PosBody<StartSessionRequest> request, PublicLinks links, HttpContext context, IGrainFactory grains)
    {
        var (body, location) = (request.Body, request.Location);
        var idempotency = key is null ? null : new IdempotentStart(key.SessionIdFor(context.GetApiClient().ClientId, location), IdempotencyKey.Fingerprint("start", body));
        var started = await grains.Grain<ITerminalGrain>(GrainKeys.Terminal(location, body.TerminalId!)).StartSession(body.WidgetId!.Value, body.CouponId, idempotency);
        if (!started.IsSuccess)
        {
            return Problems.From(started);
        }

        var s = started.Value!;
        var pos = $"{links.Base}/v2/pos/{location.PosSystemId}";
        return Envelope.Ok(new StartSessionResponse(s.SessionId, links.Screen(s.SessionId), s.ExpiresAt, s.TimeoutSeconds,
            $"{pos}/widget/sessions/{s.SessionId}", $"{pos}/terminals/{body.TerminalId}/events?posLocationId={Uri.EscapeDataString(location.LocationId)}"));
    }

    private static async Task<Results<Ok<DataEnvelope<ShowQrCodeResponse>>, ProblemHttpResult>> ShowQrCode(
        IdempotencyKey? key, PosBody<SessionInteractionRequest> request, PublicLinks links, IGrainFactory grains)
    {
        var body = request.Body;
        if (!FieldRules.IsSessionId(body.SessionId))
        {
            return NoSuchSession();
        }

        var shown = await grains.Grain<IWidgetSessionGrain>(body.SessionId!).ShowQrCode(body.ToInteraction(request.Location, key?.For("showQrCode", body)));
        if (!shown.IsSuccess)
        {
            return Problems.From(shown);
        }

        var screen = links.Screen(body.SessionId!);
        return Envelope.Ok(new ShowQrCodeResponse(screen, links.Landing(body.SessionId!), $"{screen}/qr.png", $"{screen}/qr.svg", shown.Value!.ExpiresAt));
    }

    private static async Task<Results<Ok<DataEnvelope<SendMessageResponse>>, ProblemHttpResult>> SendMessage(
        IdempotencyKey? key, PosBody<SessionInteractionRequest> request, PublicLinks links, IGrainFactory grains, RecipientParser parser,
        TimeProvider clock)
    {
        var body = request.Body;
        if (!FieldRules.IsSessionId(body.SessionId))
        {
            return NoSuchSession();
        }

        var (recipients, invalid) = parser.Parse(body.Profile, body.Channel);
        if (invalid is not null)
        {
            return invalid;
        }

        var consent = body.Consent is { } c
            ? new ConsentRecord { Marketing = c.Marketing ?? false, Text = c.Text, At = clock.GetUtcNow(), TerminalId = body.TerminalId, SalesPerson = body.Profile?.SalesPerson }
            : null;
        // An email's unsubscribe page speaks the location's language: the link carries its locale.
        var locale = recipients.Any(r => r.Channel == WidgetChannel.Email)
            ? (await grains.Grain<ILocationGrain>(request.Location.ToString()).GetSettings()).Locale
            : null;
        var addressed = recipients
            .Select(r => r.Channel == WidgetChannel.Email ? r with { UnsubscribeUrl = links.Unsubscribe(r.Address, locale) } : r)
            .ToList();
        var command = new SendMessageCommand(body.ToInteraction(request.Location, key?.For("sendMessage", body)), addressed,
            links.Landing(body.SessionId!), consent, links.DeliveryCallback(body.SessionId!));
        var sent = await grains.Grain<IWidgetSessionGrain>(body.SessionId!).SendMessage(command);
        return sent.IsSuccess
            ? Envelope.Ok(new SendMessageResponse(sent.Value!.Select(MessageDtos.From).ToList()))
            : Problems.From(sent);
    }

    private static async Task<Results<Ok<DataEnvelope<SessionDto>>, ProblemHttpResult>> GetSession(string sessionId, HttpContext context, IGrainFactory grains)
    {
        var view = await FindSession(sessionId, context, grains);
        return view is null ? NoSuchSession() : Envelope.Ok(SessionDto.From(view));
    }

    private static async Task<Results<Ok<DataEnvelope<SessionDto>>, ProblemHttpResult>> Cancel(string sessionId, HttpContext context, IGrainFactory grains)
    {
        if (await FindSession(sessionId, context, grains) is not { } view)
        {
            return NoSuchSession();
        }

        var cancelled = await grains.Grain<IWidgetSessionGrain>(sessionId).Cancel(new SessionAddress(view.Location, null, null));
        return cancelled.IsSuccess ? Envelope.Ok(SessionDto.From(cancelled.Value!)) : Problems.From(cancelled);
    }

    /// <summary>The session, if it belongs to a location of the route's POS system that the caller is granted.</summary>
    private static async Task<SessionView?> FindSession(string sessionId, HttpContext context, IGrainFactory grains)
    {
        var view = FieldRules.IsSessionId(sessionId) ? await grains.Grain<IWidgetSessionGrain>(sessionId).GetView() : null;
        return view is not null && string.Equals(view.Location.PosSystemId, context.GetRouteValue("posSystemId") as string, StringComparison.OrdinalIgnoreCase)
            && context.GetApiClient().CanAccess(view.Location)
            ? view
            : null;
    }

    private static ProblemHttpResult NoSuchSession() =>
        Problems.Of(ProblemCodes.SessionNotFound, "No session with this id exists for this client, location, terminal and widget.");
}
