using System.ComponentModel.DataAnnotations;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using Widgets.Clients;
using Widgets.Gateway.Admin;
using Widgets.Gateway.Auth;
using Widgets.Gateway.Customer;
using Widgets.Gateway.Customer.Texts;
using Widgets.Gateway.Http;
using Widgets.Gateway.Links;

namespace Widgets.Gateway.Screen;

/// <summary>The body of <c>POST /v2/pos/{posSystemId}/carousel</c> (ClearLine's shape).</summary>
public sealed record CarouselRequest([property: Required] string? PosLocationId, [property: Required] string? TerminalId) : IPosAddressed, IValidatable
{
    public void Validate(FieldErrors errors)
    {
        FieldRules.Id(PosLocationId, "posLocationId", errors);
        FieldRules.Id(TerminalId, "terminalId", errors);
    }
}

/// <summary>
/// The terminal's screen link. <c>expiresAt</c> (ClearLine's field; an ISO 8601 time for a link that expires) is null:
/// screen links live until the operator revokes them. A string, so the document can say "string or null".
/// </summary>
public sealed record CarouselResponse(string Url, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? ExpiresAt);

/// <summary>The terminal's screen generation after a revocation.</summary>
public sealed record ScreenRevoked(string TerminalId, int Generation);

/// <summary>A self-start tapped on the idle screen.</summary>
public sealed record ScreenStartRequest([property: Required, JsonConverter(typeof(FlexibleIntConverter))] int? WidgetId) : IValidatable
{
    public void Validate(FieldErrors errors) => FieldRules.WidgetId(WidgetId, errors, "Required: the id of a widget on the idle screen.");
}

/// <summary>The session a self-start began, and what the screen shows for it.</summary>
public sealed record ScreenStarted(string SessionId, DateTimeOffset ExpiresAt, ScreenSnapshot State);

/// <summary>
/// A terminal's own screen: the POS asks for its link (<c>carousel</c>), a kiosk browser opens it (<c>/t/{token}</c>)
/// and follows the terminal by server-sent events; the operator revokes its links. The gateway only checks links and
/// relays: which session a terminal shows, and the screen generation, are the terminal grain's.
/// </summary>
public static class ScreenEndpoints
{
    public const string Tag = "Terminal screen";

    private static readonly TimeSpan RetryHint = TimeSpan.FromSeconds(2);

    public static readonly ProblemCode ScreenNotPaired = new("screen_not_paired", 404, "Screen not paired",
        "The screen link was revoked or tampered with; open the screen link again from the POS.");

    public static readonly ProblemCode StartForbidden = new("start_forbidden", 403, "Start not allowed",
        "Self-start is off at this location, or the request did not come from this screen's page.");

    public static IEndpointRouteBuilder MapScreenEndpoints(this IEndpointRouteBuilder app)
    {
        var pos = app.MapGroup("/v2/pos/{posSystemId}").ForScope(Scopes.PosIntegration).RequireRateLimiting(RateLimits.PosPolicy)
            .ProducesProblems(ProblemCodes.RateLimited).WithTags(Tag);
        pos.MapPost("/carousel", Carousel).WithName("carousel")
            .WithSummary("Get the terminal's screen link")
            .WithDescription("The URL of the terminal's own customer-facing screen page (`/t/{token}`): idle carousel of the location's `idle` widgets, "
                + "the QR view while a session runs, then back to idle, pushed live. Open it once in the kiosk browser or POS webview and leave it open; "
                + "`expiresAt` is null because the link lives until the operator revokes the terminal's screen links. Asking again returns the same link.")
            .ProducesProblems(DomainError.TerminalNotFound)
            .WithRequestExample("clearline", "ClearLine's request", new { posLocationId = "store-1", terminalId = "lane-1" }, "application/json-patch+json");

        var admin = app.MapLocationGroup(Tag);
        admin.MapPost("/terminals/{terminalId}/screen/revoke", Revoke).WithName("revokeTerminalScreen")
            .WithSummary("Revoke the terminal's screen links")
            .WithDescription("Every screen link issued for this terminal so far stops working at once: open screens show \"not paired\" within 2 s. "
                + "The POS's next `carousel` call returns a new link.")
            .ProducesProblems(DomainError.TerminalNotFound);

        var screen = app.MapGroup("/t/{token}").AllowAnonymous().DisableAntiforgery().RequireRateLimiting(RateLimits.PublicPolicy).WithTags(CustomerPages.Tag)
            .ProducesProblems(ProblemCodes.RateLimited, ProblemCodes.Unavailable);
        screen.MapGet("", Page).WithName("terminalScreenPage")
            .WithSummary("The terminal's screen page")
            .WithDescription("HTML for the customer-facing display. `<main data-view=\"idle|live|scanned|thanks|unpaired\" data-session-id=\"…\">` says what it shows.")
            .WithResponseContent(200, "text/html", "The screen page.")
            .WithResponseContent(404, "text/html", "The link was revoked or tampered with: the \"screen not paired\" view, with what to do.");
        screen.MapGet("/events", Events).WithName("terminalScreenEvents")
            .WithSummary("Follow what the terminal's screen shows")
            .WithDescription("A `text/event-stream`: first a `state` event with the terminal's current view (skipped when `Last-Event-ID` already names it), "
                + "then one per change; an `idle` event (data: {version, widgets: [{id, name, description, icon}]}) with the location's idle carousel "
                + "when it differs from the page's (query `idle`: the version the page shows) and whenever the catalogue changes it; `heartbeat` events (data: the server time) every 15 s; `unpaired` (then the stream ends) when the link is revoked. "
                + "Every `state` event has an `id:`; the first event carries a `retry:` hint.")
            .WithRequestHeader("Last-Event-ID", "The id of the last `state` event the screen showed; its state is not sent again.")
            .WithResponseContent(200, "text/event-stream", "The screen's events; `state` data is a JSON object {view, sessionId, headline, body, expiresAt, qr}.");
        screen.MapPost("/start", Start).WithName("terminalScreenStart")
            .WithSummary("Start a widget from the idle screen (self-start)")
            .WithDescription("Tapping a widget on the idle screen, when the location's `selfStart` is on. Starts a session on this terminal exactly as `widget/start` does. "
                + "Only the screen's own page may call it: same origin, and its `X-Screen-Start` token.")
            .WithRequestHeader("X-Screen-Start", "The token the screen page carries (data-start-token).")
            .ProducesProblems(ProblemCodes.ValidationFailed, ProblemCodes.InvalidJson, ProblemCodes.UnsupportedMediaType, ProblemCodes.PayloadTooLarge,
                ScreenNotPaired, StartForbidden, ProblemCodes.WidgetNotFound);
        app.MapScreenAssets();
        return app;
    }

    private static async Task<Results<Ok<DataEnvelope<CarouselResponse>>, ProblemHttpResult>> Carousel(
        PosBody<CarouselRequest> request, PublicLinks links, IGrainFactory grains, ScreenTokens tokens)
    {
        var (location, terminalId) = (request.Location, request.Body.TerminalId!);
        if (await grains.Grain<ILocationGrain>(location.ToString()).GetTerminal(terminalId) is null)
        {
            return Problems.Of(ProblemCodes.TerminalNotFound, $"Terminal '{terminalId}' is not registered at this location; register it with PUT …/terminals/{terminalId}.");
        }

        var generation = await grains.Grain<ITerminalGrain>(GrainKeys.Terminal(location, terminalId)).GetScreenGeneration();
        return Envelope.Ok(new CarouselResponse(tokens.Link(links.Base, location, terminalId, generation), null));
    }

    private static async Task<Results<Ok<DataEnvelope<ScreenRevoked>>, ProblemHttpResult>> Revoke(LocationScope location, string terminalId, IGrainFactory grains)
    {
        if (!LocationKey.IsValidId(terminalId) || await grains.Grain<ILocationGrain>(location.Location.ToString()).GetTerminal(terminalId) is null)
        {
            return Problems.Of(ProblemCodes.TerminalNotFound, $"Terminal '{terminalId}' is not registered at this location.");
        }

        var generation = await grains.Grain<ITerminalGrain>(GrainKeys.Terminal(location.Location, terminalId)).RevokeScreen();
        return Envelope.Ok(new ScreenRevoked(terminalId, generation));
    }

    private static async Task<HtmlPage> Page(string token, HttpContext context, ScreenTokens tokens, IGrainFactory grains, TimeProvider clock)
    {
        if (tokens.Verify(token) is not { } screen)
        {
            return TerminalScreenPage.Unpaired(CustomerTexts.For(null));
        }

        var location = grains.Grain<ILocationGrain>(screen.Location.ToString());
        var terminal = grains.Grain<ITerminalGrain>(screen.TerminalKey);
        var settingsCall = location.GetSettings();
        var registered = await location.GetTerminal(screen.TerminalId);
        var settings = await settingsCall;
        if (registered is null || await terminal.GetScreenGeneration() != screen.Generation)
        {
            return TerminalScreenPage.Unpaired(CustomerTexts.For(settings.Locale));
        }

        var idle = await location.ListWidgets(WidgetContext.Idle, screen.TerminalId);
        var view = await terminal.GetScreen();
        var tokenLinks = context.RequestServices.GetRequiredService<LinkTokens>();
        var snapshot = ScreenSnapshot.Of(view, view is null ? null : $"../s/{tokenLinks.Issue(LinkKind.Screen, view.SessionId)}/qr.svg");
        var self = $"{context.Request.PathBase}/t/{token}";
        return TerminalScreenPage.Render(new TerminalScreenPage.Model($"{self}/events", $"{self}/start", tokens.StartToken(token),
            settings, idle.Widgets, IdleSlides.VersionOf(idle), snapshot, clock.GetUtcNow()));
    }

    /// <summary>The events of a screen; <paramref name="idle"/> is the version of the idle carousel the page shows.</summary>
    private static async Task<Results<ServerSentEventsResult<string>, ProblemHttpResult>> Events(
        string token, string? idle, HttpContext context, ScreenTokens tokens, TerminalScreenFeeds feeds)
    {
        var lastEventId = context.Request.Headers["Last-Event-ID"].ToString() is { Length: > 0 and <= 200 } id ? id : null;
        context.Response.Headers["X-Accel-Buffering"] = "no";
        if (tokens.Verify(token) is not { } screen)
        {
            return TypedResults.ServerSentEvents(Unpaired());
        }

        TerminalScreenFeed feed;
        try
        {
            feed = await feeds.Join(screen);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            context.RequestServices.GetRequiredService<ILogger<TerminalScreenFeeds>>()
                .LogWarning(ex, "The screen feed of terminal {Terminal} could not start; the screen retries", screen.TerminalKey);
            return Problems.Of(ProblemCodes.Unavailable, "The terminal's feed is not reachable right now; the screen reconnects by itself.");
        }

        context.Response.RegisterForDispose(new Lease(feeds, feed));
        return TypedResults.ServerSentEvents(Follow(feeds, feed, screen.Generation, lastEventId, idle, context.RequestAborted));
    }

    /// <summary>
    /// One screen's stream: the state unless Last-Event-ID already names it, the idle carousel unless the page's
    /// <c>idle</c> version already is the current one, then every change of either, a heartbeat every
    /// <see cref="TerminalScreenFeeds.HeartbeatEvery"/>, and <c>unpaired</c> once the link's generation is revoked.
    /// Holds no timer, delay or buffer of its own between events: it waits on its feed's signal and its heartbeat
    /// lane's, both shared. A screen that went away is noticed at its next heartbeat or change.
    /// </summary>
    private static async IAsyncEnumerable<SseItem<string>> Follow(
        TerminalScreenFeeds feeds, TerminalScreenFeed feed, int generation, string? lastEventId, string? idleVersion, [EnumeratorCancellation] CancellationToken aborted)
    {
        var shown = lastEventId;
        var idleShown = idleVersion;
        var first = true;
        var lane = feeds.HeartbeatLane();
        while (!aborted.IsCancellationRequested)
        {
            var changed = feed.Changed;
            var heartbeat = feeds.Heartbeat(lane);
            var state = feed.State;
            if (state.Generation != generation)
            {
                yield return new SseItem<string>("{}", ScreenViews.Unpaired) { ReconnectionInterval = first ? RetryHint : null };
                yield break;
            }

            if (state.Idle is { } idle && idle.Version != idleShown)
            {
                yield return new SseItem<string>(idle.Json, "idle") { ReconnectionInterval = first ? RetryHint : null };
                idleShown = idle.Version;
                first = false;
            }

            if (state.Snapshot.EventId != shown || first)
            {
                yield return state.Snapshot.EventId != shown
                    ? new SseItem<string>(state.Snapshot.Json, "state") { EventId = state.Snapshot.EventId, ReconnectionInterval = first ? RetryHint : null }
                    : HeartbeatItem(feeds.Clock.GetUtcNow().UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture), first);
                shown = state.Snapshot.EventId;
                first = false;
            }

            if (await Task.WhenAny(changed, heartbeat) == heartbeat)
            {
                if (aborted.IsCancellationRequested)
                {
                    yield break;
                }

                yield return HeartbeatItem(heartbeat.Result, false);
            }
        }
    }

    private static SseItem<string> HeartbeatItem(string serverTime, bool first) =>
        new(serverTime, "heartbeat") { ReconnectionInterval = first ? RetryHint : null };

    private static async IAsyncEnumerable<SseItem<string>> Unpaired()
    {
        await Task.CompletedTask;
        yield return new SseItem<string>("{}", ScreenViews.Unpaired) { ReconnectionInterval = RetryHint };
    }

    private static async Task<Results<Ok<DataEnvelope<ScreenStarted>>, ProblemHttpResult>> Start(
        string token, HttpContext context, JsonBody<ScreenStartRequest> request, ScreenTokens tokens, IGrainFactory grains, LinkTokens links,
        TerminalRateLimiter terminals)
    {
        if (tokens.Verify(token) is not { } screen)
        {
            return Problems.Of(ScreenNotPaired);
        }

        if (!IsSameOrigin(context.Request) || !tokens.IsStartToken(token, context.Request.Headers["X-Screen-Start"]))
        {
            return Problems.Of(StartForbidden, "Only the screen's own page may start a widget: same origin, with its X-Screen-Start token.");
        }

        if (request.Refusal is { } refusal)
        {
            return refusal;
        }

        var location = grains.Grain<ILocationGrain>(screen.Location.ToString());
        var terminal = grains.Grain<ITerminalGrain>(screen.TerminalKey);
        if (await terminal.GetScreenGeneration() != screen.Generation)
        {
            return Problems.Of(ScreenNotPaired);
        }

        if (!(await location.GetSettings()).SelfStart)
        {
            return Problems.Of(StartForbidden, "Self-start is off at this location (setting selfStart).");
        }

        // The same per-terminal limit as the POS's own calls for this lane.
        if (terminals.Check(context, "screen", screen.TerminalId) is { } limited)
        {
            return limited;
        }

        var started = await terminal.StartSession(request.Body.WidgetId!.Value, null);
        if (!started.IsSuccess)
        {
            return Problems.From(started);
        }

        var s = started.Value!;
        var view = await grains.Grain<IWidgetSessionGrain>(s.SessionId).GetScreen();
        return Envelope.Ok(new ScreenStarted(s.SessionId, s.ExpiresAt, ScreenSnapshot.Of(view, $"../s/{links.Issue(LinkKind.Screen, s.SessionId)}/qr.svg")));
    }

    /// <summary>Browsers say where a request comes from (Sec-Fetch-Site, Origin); a post from any other site is refused.</summary>
    private static bool IsSameOrigin(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0 && site != "same-origin")
        {
            return false;
        }

        var origin = request.Headers.Origin.ToString();
        return origin.Length == 0 || (Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Leaves the terminal's feed when the response is done, however it ended.</summary>
    private sealed class Lease(TerminalScreenFeeds feeds, TerminalScreenFeed feed) : IDisposable
    {
        public void Dispose() => feeds.Leave(feed);
    }
}
