using Microsoft.Net.Http.Headers;
using Widgets.Gateway.Auth;
using Widgets.Gateway.Http;
using Widgets.Gateway.Links;

namespace Widgets.Gateway.Pos;

/// <summary>The ClearLine-compatible POS surface plus our session extensions.</summary>
public static class PosEndpoints
{
    private static readonly string ListCacheControl = new CacheControlHeaderValue { Private = true, MaxAge = TimeSpan.FromMinutes(15) }.ToString();

    public static IEndpointRouteBuilder MapPosEndpoints(this IEndpointRouteBuilder app)
    {
        var pos = app.MapGroup("/v2/pos/{posSystemId}").RequireAuthorization(AuthSetup.PosPolicy).RequireRateLimiting(RateLimits.PosPolicy).WithTags("POS");
        pos.MapPost("/widgets/list", List);
        pos.MapPost("/widget/start", Start);
        pos.MapPost("/widget/showQrCode", ShowQrCode);
        pos.MapPost("/widget/sendMessage", SendMessage);
        pos.MapGet("/widget/sessions/{sessionId}", GetSession);
        pos.MapPost("/widget/sessions/{sessionId}/cancel", Cancel);
        pos.MapTerminalEvents();
        return app;
    }

    private static async Task<IResult> List(string posSystemId, HttpContext context, IGrainFactory grains, ListingBodies bodies)
    {
        var (body, problem) = await JsonBody.Read<ListWidgetsRequest>(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        var (location, denied) = TenantAccess.Resolve(context, posSystemId, body!.PosLocationId);
        var (widgetContext, badContext) = PosValidation.Context(body.Context);
        if ((denied ?? badContext) is { } refusal)
        {
            return refusal;
        }

        if (body.TerminalId is { } terminal && !LocationKey.IsValidId(terminal))
        {
            return Problems.Field("terminalId", "1–64 letters, digits, dots, dashes or underscores.");
        }

        var listing = await grains.Grain<ILocationGrain>(location.ToString()).ListWidgets(widgetContext, body.TerminalId);
        context.Response.Headers.ETag = listing.ETag;
        context.Response.Headers.CacheControl = ListCacheControl;
        if (context.Request.Headers.IfNoneMatch.Contains(listing.ETag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return new JsonBytesResult(bodies.Get(location, widgetContext, listing));
    }

    private static async Task<IResult> Start(string posSystemId, HttpContext context, IGrainFactory grains, PublicUrls urls)
    {
        var (key, badKey) = IdempotencyKeys.Read(context.Request);
        var (body, problem) = badKey is null ? await JsonBody.Read<StartSessionRequest>(context.Request) : (null, badKey);
        if ((problem ?? PosValidation.Start(body!)) is { } invalid)
        {
            return invalid;
        }

        var (location, denied) = TenantAccess.Resolve(context, posSystemId, body!.PosLocationId);
        if ((denied ?? TerminalLimit(context, body.TerminalId)) is { } refused)
        {
            return refused;
        }

        var idempotency = key is null ? null : new IdempotentStart(
            IdempotencyKeys.SessionIdFor(context.GetApiClient().ClientId, location, key), IdempotencyKeys.Fingerprint("start", body));
        var started = await grains.Grain<ITerminalGrain>(GrainKeys.Terminal(location, body.TerminalId!)).StartSession(body.WidgetId!.Value, body.CouponId, idempotency);
        if (!started.IsSuccess)
        {
            return Problems.From(started);
        }

        var s = started.Value!;
        var pos = $"{urls.Base(context.Request)}/v2/pos/{location.PosSystemId}";
        return Ok(new StartSessionResponse(s.SessionId, urls.Screen(context.Request, s.SessionId), s.ExpiresAt, s.TimeoutSeconds,
            $"{pos}/widget/sessions/{s.SessionId}", $"{pos}/terminals/{body.TerminalId}/events?posLocationId={Uri.EscapeDataString(location.LocationId)}"));
    }

    private static async Task<IResult> ShowQrCode(string posSystemId, HttpContext context, IGrainFactory grains, PublicUrls urls)
    {
        var (body, location, problem) = await ReadInteraction(posSystemId, context);
        if (problem is not null)
        {
            return problem;
        }

        var shown = await grains.Grain<IWidgetSessionGrain>(body!.SessionId!).ShowQrCode(ToInteraction(body, location, context, "showQrCode"));
        if (!shown.IsSuccess)
        {
            return Problems.From(shown);
        }

        var screen = urls.Screen(context.Request, body.SessionId!);
        return Ok(new ShowQrCodeResponse(screen, urls.Landing(context.Request, body.SessionId!), $"{screen}/qr.png", $"{screen}/qr.svg", shown.Value!.ExpiresAt));
    }

    private static async Task<IResult> SendMessage(string posSystemId, HttpContext context, IGrainFactory grains, PublicUrls urls, RecipientParser parser, TimeProvider clock)
    {
        var (body, location, problem) = await ReadInteraction(posSystemId, context);
        if (problem is not null)
        {
            return problem;
        }

        var (recipients, invalid) = parser.Parse(body!.Profile, body.Channel);
        if (invalid is not null)
        {
            return invalid;
        }

        var consent = body.Consent is { } c
            ? new ConsentRecord { Marketing = c.Marketing ?? false, Text = c.Text, At = clock.GetUtcNow(), TerminalId = body.TerminalId, SalesPerson = body.Profile?.SalesPerson }
            : null;
        var addressed = recipients
            .Select(r => r.Channel == WidgetChannel.Email ? r with { UnsubscribeUrl = urls.Unsubscribe(context.Request, r.Address) } : r)
            .ToList();
        var command = new SendMessageCommand(ToInteraction(body, location, context, "sendMessage"), addressed, urls.Landing(context.Request, body.SessionId!), consent,
            urls.DeliveryCallback(context.Request, body.SessionId!));
        var sent = await grains.Grain<IWidgetSessionGrain>(body.SessionId!).SendMessage(command);
        return sent.IsSuccess
            ? Ok(new SendMessageResponse(sent.Value!.Select(MessageDtos.From).ToList()))
            : Problems.From(sent);
    }

    private static async Task<IResult> GetSession(string posSystemId, string sessionId, HttpContext context, IGrainFactory grains)
    {
        var (view, problem) = await FindSession(posSystemId, sessionId, context, grains);
        return problem ?? Ok(SessionDto.From(view!));
    }

    private static async Task<IResult> Cancel(string posSystemId, string sessionId, HttpContext context, IGrainFactory grains)
    {
        var (view, problem) = await FindSession(posSystemId, sessionId, context, grains);
        if (problem is not null)
        {
            return problem;
        }

        var cancelled = await grains.Grain<IWidgetSessionGrain>(sessionId).Cancel(new SessionAddress(view!.Location, null, null));
        return cancelled.IsSuccess ? Ok(SessionDto.From(cancelled.Value!)) : Problems.From(cancelled);
    }

    private static async Task<(SessionView? View, IResult? Problem)> FindSession(string posSystemId, string sessionId, HttpContext context, IGrainFactory grains)
    {
        var view = PosValidation.IsSessionId(sessionId) ? await grains.Grain<IWidgetSessionGrain>(sessionId).GetView() : null;
        return view is not null && view.Location.PosSystemId == posSystemId.ToLowerInvariant() && context.GetApiClient().CanAccess(view.Location)
            ? (view, null)
            : (null, Problems.Status(DomainError.SessionNotFound, "No session with this id exists for this client."));
    }

    private static async Task<(SessionInteractionRequest? Body, LocationKey Location, IResult? Problem)> ReadInteraction(string posSystemId, HttpContext context)
    {
        var (_, badKey) = IdempotencyKeys.Read(context.Request);
        var (body, problem) = badKey is null ? await JsonBody.Read<SessionInteractionRequest>(context.Request) : (null, badKey);
        if ((problem ?? PosValidation.Interaction(body!)) is { } invalid)
        {
            return (null, default, invalid);
        }

        var (location, denied) = TenantAccess.Resolve(context, posSystemId, body!.PosLocationId);
        if ((denied ?? TerminalLimit(context, body.TerminalId)) is { } refused)
        {
            return (null, default, refused);
        }

        return PosValidation.IsSessionId(body.SessionId)
            ? (body, location, null)
            : (null, default, Problems.Status(DomainError.SessionNotFound, "No session with this id exists for this location."));
    }

    /// <summary>The per-terminal rate limit of the calling client; null when the call may go ahead.</summary>
    private static IResult? TerminalLimit(HttpContext context, string? terminalId) =>
        context.RequestServices.GetRequiredService<TerminalRateLimiter>().Check(context, context.GetApiClient().ClientId, terminalId);

    private static Interaction ToInteraction(SessionInteractionRequest body, LocationKey location, HttpContext context, string operation) => new(
        new SessionAddress(location, body.TerminalId, body.WidgetId),
        body.Profile is { } p ? new CustomerProfile { FirstName = p.FirstName, LastName = p.LastName, CustomerEmail = p.CustomerEmail, CustomerPhone = p.CustomerPhone, SalesPerson = p.SalesPerson } : null,
        body.CouponId,
        IdempotencyKeys.Read(context.Request).Key is { } key ? new RequestKey(key, IdempotencyKeys.Fingerprint(operation, body)) : null);

    private static IResult Ok<T>(T data) => TypedResults.Json(new DataEnvelope<T>(data), WidgetsJson.Options);
}
