using Widgets.Gateway.Http;
using Widgets.Gateway.Links;
using Widgets.Gateway.Pos;

namespace Widgets.Gateway.Customer;

/// <summary>
/// The public pages behind customer links: the screen page with its QR code, and the mobile landing page. A link's
/// token is checked before any grain is called, so a tampered or expired link gets 404 and records nothing.
/// </summary>
public static class CustomerPages
{
    public static IEndpointRouteBuilder MapCustomerPages(this IEndpointRouteBuilder app)
    {
        var screen = app.MapGroup("/s/{token}").AllowAnonymous().DisableAntiforgery().RequireRateLimiting(RateLimits.PublicPolicy).WithTags("Customer");
        screen.MapGet("", Screen);
        screen.MapGet("/state", State);
        screen.MapGet("/qr.png", QrPng);
        screen.MapGet("/qr.svg", QrSvg);

        var landing = app.MapGroup("/w/{token}").AllowAnonymous().DisableAntiforgery().RequireRateLimiting(RateLimits.PublicPolicy).WithTags("Customer");
        landing.MapGet("", Landing);
        landing.MapPost("", Submit);
        return app;
    }

    private static async Task<IResult> Screen(string token, HttpContext context, LinkTokens tokens, IGrainFactory grains, TimeProvider clock)
    {
        var view = tokens.Verify(LinkKind.Screen, token) is { } sessionId
            ? await grains.Grain<IWidgetSessionGrain>(sessionId).GetScreen()
            : null;
        if (view is null)
        {
            return PageLayout.Expired(PageKind.Screen);
        }

        var self = $"{context.Request.PathBase}/s/{token}";
        return ScreenPage.Render(view, clock.GetUtcNow(), $"{self}/qr.svg", $"{self}/state");
    }

    private static async Task<IResult> State(string token, HttpContext context, LinkTokens tokens, IGrainFactory grains, TimeProvider clock)
    {
        CustomerHeaders.ForResource(context.Response);
        var view = tokens.Verify(LinkKind.Screen, token) is { } sessionId
            ? await grains.Grain<IWidgetSessionGrain>(sessionId).GetScreen()
            : null;
        return view is null
            ? Problems.NotFound("link_expired", "This link has expired.")
            : TypedResults.Json(new DataEnvelope<ScreenState>(ScreenState.From(view, clock.GetUtcNow())), WidgetsJson.Options);
    }

    private static IResult QrPng(string token, HttpContext context, LinkTokens tokens, PublicUrls urls) =>
        QrImage(token, context, tokens, urls, landing => TypedResults.File(QrImages.Png(landing), "image/png"));

    private static IResult QrSvg(string token, HttpContext context, LinkTokens tokens, PublicUrls urls) =>
        QrImage(token, context, tokens, urls, landing => TypedResults.Text(QrImages.Svg(landing), "image/svg+xml; charset=utf-8"));

    /// <summary>A QR code of a freshly signed landing URL; the screen token alone proves the session, no grain call.</summary>
    private static IResult QrImage(string token, HttpContext context, LinkTokens tokens, PublicUrls urls, Func<string, IResult> render)
    {
        CustomerHeaders.ForResource(context.Response);
        return tokens.Verify(LinkKind.Screen, token) is { } sessionId
            ? render(urls.Landing(context.Request, sessionId))
            : Problems.NotFound("link_expired", "This link has expired.");
    }

    private static async Task<IResult> Landing(string token, HttpContext context, LinkTokens tokens, IGrainFactory grains, LandingCsrf csrf)
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

        return view.Converted
            ? LandingResults.Converted(view.Widget.Type, view.Profile.FirstName, view.CouponCode, again: true)
            : LandingPage.Form(view, LandingInput.Prefill(view.Profile), Empty, Self(context, token), csrf.Issue(context, sessionId, Self(context, token)), StatusCodes.Status200OK);
    }

    private static async Task<IResult> Submit(string token, HttpContext context, LinkTokens tokens, IGrainFactory grains, RecipientParser parser, LandingCsrf csrf)
    {
        if (tokens.Verify(LinkKind.Landing, token) is not { } sessionId)
        {
            return PageLayout.Expired(PageKind.Landing);
        }

        var (input, status) = await LandingForm.Read(context.Request);
        if (input is null)
        {
            return LandingPage.Unreadable(status);
        }

        if (!csrf.IsValid(context, sessionId, input.Csrf))
        {
            return LandingPage.Unreadable(StatusCodes.Status403Forbidden);
        }

        // Opening is idempotent once scanned; it gives the widget the form belongs to.
        var session = grains.Grain<IWidgetSessionGrain>(sessionId);
        if ((await session.OpenLanding()).Value is not { } view)
        {
            return PageLayout.Expired(PageKind.Landing);
        }

        if (view.Converted)
        {
            return LandingResults.Converted(view.Widget.Type, view.Profile.FirstName, view.CouponCode, again: true);
        }

        var (submission, errors) = LandingForm.Validate(view.Widget.Type, input, parser);
        if (errors.Count > 0)
        {
            return LandingPage.Form(view, input, errors, Self(context, token), csrf.Issue(context, sessionId, Self(context, token)), StatusCodes.Status400BadRequest);
        }

        var submitted = await session.SubmitLanding(submission);
        return submitted switch
        {
            { IsSuccess: true, Value: { } receipt } =>
                LandingResults.Converted(receipt.Type, submission.FirstName ?? view.Profile.FirstName, receipt.CouponCode, receipt.AlreadyConverted),
            { Error: DomainError.AlreadyEntered } => LandingResults.AlreadyEntered(),
            { Error: DomainError.CouponsExhausted } => LandingResults.CouponsExhausted(),
            { Error: DomainError.SessionNotFound } => PageLayout.Expired(PageKind.Landing),
            _ => LandingPage.Form(view, input, submitted.Errors ?? new Dictionary<string, string[]> { [""] = [submitted.Detail ?? "Please try again."] },
                Self(context, token), csrf.Issue(context, sessionId, Self(context, token)), StatusCodes.Status400BadRequest),
        };
    }

    private static readonly IReadOnlyDictionary<string, string[]> Empty = new Dictionary<string, string[]>();

    private static string Self(HttpContext context, string token) => $"{context.Request.PathBase}/w/{token}";
}
