using Microsoft.AspNetCore.Http.HttpResults;
using Widgets.Gateway.Customer.Texts;
using Widgets.Gateway.Http;
using Widgets.Gateway.Links;
using Widgets.Gateway.Pos;
using Widgets.Gateway.Screen;

namespace Widgets.Gateway.Customer;

/// <summary>
/// The public pages behind customer links: the screen page with its QR code, and the mobile landing page. A link's
/// token is checked before any grain is called, so a tampered or expired link gets 404 and records nothing.
/// </summary>
public static class CustomerPages
{
    public const string Tag = "Customer pages";

    public static IEndpointRouteBuilder MapCustomerPages(this IEndpointRouteBuilder app)
    {
        var screen = app.MapGroup("/s/{token}").AllowAnonymous().DisableAntiforgery().RequireRateLimiting(RateLimits.PublicPolicy).WithTags(Tag)
            .AddEndpointFilter<RequestScopeFilter>().ProducesProblems(ProblemCodes.RateLimited, ProblemCodes.Unavailable);
        screen.MapGet("", Screen).WithName("screenPage")
            .WithSummary("The customer-facing screen's page of a session")
            .WithDescription("The HTML page behind qrCodeHtmlLinkUrl / qrCodePreviewHtmlLinkUrl: the QR code, the widget's headline, a countdown and the live state.")
            .WithResponseContent(200, "text/html", "The screen page.")
            .WithResponseContent(404, "text/html", "The link expired or was tampered with: a page that says so.");
        screen.MapGet("/state", State).WithName("screenState")
            .WithSummary("The session's state as the screen page shows it")
            .WithDescription("The session's state, countdown and scan/conversion flags as JSON, for a page that cannot follow `/events`.")
            .ProducesProblems(ProblemCodes.LinkExpired);
        screen.MapGet("/events", SessionEvents).WithName("screenEvents")
            .WithSummary("Follow the session's state as the screen page shows it")
            .WithDescription("A `text/event-stream` of `state` events, each the session's state as `/state` answers it (data: a JSON object), first the current one, "
                + "then one per change; `heartbeat` events every 15 s. The screen page follows it instead of polling.")
            .WithResponseContent(200, "text/event-stream", "The session's state events.")
            .ProducesProblems(ProblemCodes.LinkExpired);
        screen.MapGet("/qr.png", QrPng).WithName("qrCodePng")
            .WithSummary("The session's QR code as PNG")
            .WithDescription("The QR code the screen shows, encoding a freshly signed landing URL (`/w/{token}`); for screens that embed an image.")
            .WithResponseContent(200, "image/png", "The QR code encoding the landing URL.")
            .ProducesProblems(ProblemCodes.LinkExpired);
        screen.MapGet("/qr.svg", QrSvg).WithName("qrCodeSvg")
            .WithSummary("The session's QR code as SVG")
            .WithDescription("The same QR code as vector graphics; the screen page uses it, since it stays sharp at any size.")
            .WithResponseContent(200, "image/svg+xml", "The QR code encoding the landing URL.")
            .ProducesProblems(ProblemCodes.LinkExpired);

        var landing = app.MapGroup("/w/{token}").AllowAnonymous().DisableAntiforgery().RequireRateLimiting(RateLimits.PublicPolicy).WithTags(Tag)
            .ProducesProblems(ProblemCodes.RateLimited, ProblemCodes.Unavailable);
        landing.MapGet("", Landing).WithName("landingPage")
            .WithSummary("The phone's landing page")
            .WithDescription("What the QR code and the messages link to: the widget's form (join, sign up, coupon, survey, contest entry). Opening it records a scan.")
            .WithResponseContent(200, "text/html", "The landing page.")
            .WithResponseContent(404, "text/html", "The link expired or was tampered with: a page that says so.");
        landing.MapPost("", Submit).WithName("submitLanding")
            .WithSummary("Submit the landing page's form")
            .WithDescription("The customer's submission (a conversion), as the page's form posts it, with its anti-forgery token.")
            .WithMetadata(new FormBodyMetadata(typeof(Dictionary<string, string>)))
            .WithResponseContent(200, "text/html", "Thank-you page (with the coupon code, for a coupon widget).")
            .WithResponseContent(400, "text/html", "The form again, with what to correct.")
            .WithResponseContent(403, "text/html", "The form's anti-forgery token is missing or wrong, or the post came from another site.")
            .WithResponseContent(404, "text/html", "The link expired or was tampered with: a page that says so.")
            .WithResponseContent(409, "text/html", "This contact already entered the contest, or every coupon was handed out: a page that says so.")
            .WithResponseContent(413, "text/html", "The form is larger than 16 KB.");
        return app;
    }

    private static async Task<HtmlPage> Screen(string token, HttpContext context, LinkTokens tokens, IGrainFactory grains, TimeProvider clock)
    {
        var view = tokens.Verify(LinkKind.Screen, token) is { } sessionId
            ? await grains.Grain<IWidgetSessionGrain>(sessionId).GetScreen()
            : null;
        if (view is null)
        {
            return PageLayout.Expired(PageKind.Screen);
        }

        var self = $"{context.Request.PathBase}/s/{token}";
        var texts = await grains.Grain<IWidgetSessionGrain>(view.SessionId).GetView() is { } session ? await TextsOf(grains, session.Location) : CustomerTexts.For(null);
        return ScreenPage.Render(view, clock.GetUtcNow(), $"{self}/qr.svg", $"{self}/events", texts);
    }

    /// <summary>
    /// The session's state, pushed: woken by the session's terminal feed (the one the terminal's screens share), and
    /// re-read at every heartbeat too, so a late conversion after the terminal moved on still reaches the page.
    /// </summary>
    private static async Task<Results<ServerSentEventsResult<string>, ProblemHttpResult>> SessionEvents(string token, HttpContext context, LinkTokens tokens, IGrainFactory grains, TerminalScreenFeeds feeds, TimeProvider clock)
    {
        var session = tokens.Verify(LinkKind.Screen, token) is { } sessionId ? grains.Grain<IWidgetSessionGrain>(sessionId) : null;
        var view = session is null ? null : await session.GetView();
        if (session is null || view is null)
        {
            return Problems.Of(ProblemCodes.LinkExpired);
        }

        TerminalScreenFeed feed;
        try
        {
            feed = await feeds.Join(new ScreenAddress(view.Location, view.TerminalId, 0));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            context.RequestServices.GetRequiredService<ILogger<TerminalScreenFeeds>>()
                .LogWarning(ex, "The feed of terminal {Terminal} could not start; the session page retries", view.TerminalId);
            return Problems.Of(ProblemCodes.Unavailable, "The session's feed is not reachable right now; the page reconnects by itself.");
        }

        context.Response.RegisterForDispose(new FeedLease(feeds, feed));
        context.Response.Headers["X-Accel-Buffering"] = "no";
        return TypedResults.ServerSentEvents(FollowSession(session, feeds, feed, clock, context.RequestAborted));
    }

    private static async IAsyncEnumerable<System.Net.ServerSentEvents.SseItem<string>> FollowSession(
        IWidgetSessionGrain session, TerminalScreenFeeds feeds, TerminalScreenFeed feed, TimeProvider clock, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken aborted)
    {
        string? shown = null;
        var lane = feeds.HeartbeatLane();
        while (!aborted.IsCancellationRequested)
        {
            var changed = feed.Changed;
            if (await session.GetScreen() is not { } view)
            {
                yield break;
            }

            var state = ScreenState.From(view, clock.GetUtcNow());
            var json = System.Text.Json.JsonSerializer.Serialize(state, WidgetsJson.Options);
            var id = $"{state.State}.{state.Scanned}.{state.Converted}.{state.ExpiresAt.ToUnixTimeMilliseconds()}";
            if (id != shown)
            {
                yield return new System.Net.ServerSentEvents.SseItem<string>(json, "state") { EventId = id, ReconnectionInterval = shown is null ? TimeSpan.FromSeconds(2) : null };
                shown = id;
            }
            else
            {
                yield return new System.Net.ServerSentEvents.SseItem<string>(json, "heartbeat");
            }

            // The terminal screens' shared heartbeat: no timer of its own.
            await Task.WhenAny(changed, feeds.Heartbeat(lane));
        }
    }

    private sealed class FeedLease(TerminalScreenFeeds feeds, TerminalScreenFeed feed) : IDisposable
    {
        public void Dispose() => feeds.Leave(feed);
    }

    private static async Task<Results<Ok<DataEnvelope<ScreenState>>, ProblemHttpResult>> State(string token, HttpContext context, LinkTokens tokens, IGrainFactory grains, TimeProvider clock)
    {
        CustomerHeaders.ForResource(context.Response);
        var view = tokens.Verify(LinkKind.Screen, token) is { } sessionId
            ? await grains.Grain<IWidgetSessionGrain>(sessionId).GetScreen()
            : null;
        return view is null
            ? Problems.Of(ProblemCodes.LinkExpired)
            : Envelope.Ok(ScreenState.From(view, clock.GetUtcNow()));
    }

    private static Results<FileContentHttpResult, ProblemHttpResult> QrPng(string token, HttpContext context, LinkTokens tokens, PublicLinks links) =>
        QrImage(token, context, tokens, links, landing => TypedResults.File(QrImages.Png(landing), "image/png"));

    private static Results<ContentHttpResult, ProblemHttpResult> QrSvg(string token, HttpContext context, LinkTokens tokens, PublicLinks links) =>
        QrImage(token, context, tokens, links, landing => TypedResults.Text(QrImages.Svg(landing), "image/svg+xml; charset=utf-8"));

    /// <summary>A QR code of a freshly signed landing URL; the screen token alone proves the session, no grain call.</summary>
    private static Results<TImage, ProblemHttpResult> QrImage<TImage>(string token, HttpContext context, LinkTokens tokens, PublicLinks links, Func<string, TImage> render)
        where TImage : IResult
    {
        CustomerHeaders.ForResource(context.Response);
        return tokens.Verify(LinkKind.Screen, token) is { } sessionId
            ? render(links.Landing(sessionId))
            : Problems.Of(ProblemCodes.LinkExpired);
    }

    private static async Task<HtmlPage> Landing(string token, HttpContext context, LinkTokens tokens, IGrainFactory grains, LandingCsrf csrf)
    {
        if (tokens.Verify(LinkKind.Landing, token) is not { } sessionId)
        {
            return PageLayout.Expired(PageKind.Landing);
        }

        var opened = await grains.Grain<IWidgetSessionGrain>(sessionId).OpenLanding();
        if (opened.Value is not { } view)
        {
            return PageLayout.Expired(PageKind.Landing);
        }

        var texts = await TextsOf(grains, view.Location);
        return view.Converted
            ? LandingResults.Converted(view.Widget.Type, null, view.CouponCode, again: true, texts)
            : LandingPage.Form(view, LandingInput.Prefill(view), Empty, Self(context, token), csrf.Issue(context, sessionId, Self(context, token)), StatusCodes.Status200OK, texts);
    }

    private static async Task<HtmlPage> Submit(string token, HttpContext context, LinkTokens tokens, IGrainFactory grains, RecipientParser parser, LandingCsrf csrf)
    {
        if (tokens.Verify(LinkKind.Landing, token) is not { } sessionId)
        {
            return PageLayout.Expired(PageKind.Landing);
        }

        var session = grains.Grain<IWidgetSessionGrain>(sessionId);
        var (input, status) = await LandingForm.Read(context.Request);
        if (input is null)
        {
            return LandingPage.Unreadable(status, await TextsOfSession(grains, session));
        }

        if (!csrf.IsValid(context, sessionId, input.Csrf))
        {
            return LandingPage.Unreadable(StatusCodes.Status403Forbidden, await TextsOfSession(grains, session));
        }

        // Opening is idempotent once scanned; it gives the widget the form belongs to.
        if ((await session.OpenLanding()).Value is not { } view)
        {
            return PageLayout.Expired(PageKind.Landing);
        }

        var texts = await TextsOf(grains, view.Location);
        if (view.Converted)
        {
            return LandingResults.Converted(view.Widget.Type, null, view.CouponCode, again: true, texts);
        }

        var (submission, errors) = LandingForm.Validate(view.Widget.Type, input, parser, texts);
        if (errors.Count > 0)
        {
            return LandingPage.Form(view, input, errors, Self(context, token), csrf.Issue(context, sessionId, Self(context, token)), StatusCodes.Status400BadRequest, texts);
        }

        var submitted = await session.SubmitLanding(submission);
        return submitted switch
        {
            { IsSuccess: true, Value: { } receipt } =>
                LandingResults.Converted(receipt.Type, submission.FirstName, receipt.CouponCode, receipt.AlreadyConverted, texts),
            { Error: DomainError.AlreadyEntered } => LandingResults.AlreadyEntered(texts),
            { Error: DomainError.CouponsExhausted } => LandingResults.CouponsExhausted(texts),
            { Error: DomainError.SessionNotFound } => PageLayout.Expired(PageKind.Landing, texts),
            _ => LandingPage.Form(view, input, submitted.Errors ?? new Dictionary<string, string[]> { [""] = [submitted.Detail ?? texts.Landing.TryAgain] },
                Self(context, token), csrf.Issue(context, sessionId, Self(context, token)), StatusCodes.Status400BadRequest, texts),
        };
    }

    /// <summary>The built-in texts in the language of the location's settings.</summary>
    internal static async Task<CustomerTexts> TextsOf(IGrainFactory grains, LocationKey location) =>
        CustomerTexts.For((await grains.Grain<ILocationGrain>(location.ToString()).GetSettings()).Locale);

    private static async Task<CustomerTexts> TextsOfSession(IGrainFactory grains, IWidgetSessionGrain session) =>
        await session.GetView() is { } view ? await TextsOf(grains, view.Location) : CustomerTexts.For(null);

    private static readonly IReadOnlyDictionary<string, string[]> Empty = new Dictionary<string, string[]>();

    private static string Self(HttpContext context, string token) => $"{context.Request.PathBase}/w/{token}";
}
