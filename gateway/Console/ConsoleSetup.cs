using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Widgets.Gateway.Admin;
using Widgets.Gateway.OperatorConsole.Components;

namespace Widgets.Gateway.OperatorConsole;

/// <summary>
/// The operator console at <c>/console/</c>: Razor components rendered on the server (static SSR, plain HTML forms
/// with the framework's antiforgery), its own cookie session, and three small endpoints (sign-out, the conversions
/// CSV, the lanes' live state). It reads and writes through the same grains as the operator API.
/// </summary>
public static class ConsoleSetup
{
    public static WebApplicationBuilder AddConsole(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents();
        builder.Services.AddConsoleAuth();
        return builder;
    }

    public static WebApplication MapConsole(this WebApplication app)
    {
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/console"), console => console.Use((context, next) =>
        {
            ConsoleHeaders(context.Response);
            // A console page answers 404 with its own HTML "not found" view, not with the API's problem+json.
            if (context.Features.Get<IStatusCodePagesFeature>() is { } statusPages)
            {
                statusPages.Enabled = false;
            }

            return next(context);
        }));
        app.UseAntiforgery();

        app.MapRazorComponents<ConsoleApp>().Add(e => e.Metadata.Add(new ExcludeFromDescriptionAttribute()));
        var console = app.MapGroup("/console").ExcludeFromDescription();
        console.MapGet("/assets/console.css", () => TypedResults.Text(ConsoleAssets.Css, "text/css; charset=utf-8")).AllowAnonymous();
        console.MapGet("/assets/console.js", () => TypedResults.Text(ConsoleAssets.Script, "text/javascript; charset=utf-8")).AllowAnonymous();

        var signedIn = console.MapGroup("").RequireAuthorization(ConsoleAuth.Policy);
        // [FromForm] makes the framework check the antiforgery token, as on every console form.
        signedIn.MapPost("/signout", async (HttpContext context, [FromForm(Name = "reason")] string? reason) =>
        {
            await ConsoleAuth.SignOut(context);
            return TypedResults.Redirect(ConsoleAuth.SignInPath + "?signedOut=1");
        });
        signedIn.MapGet("/locations/{posSystemId}/{locationId}/conversions.csv", ConversionsCsv);
        signedIn.MapGet("/locations/{posSystemId}/{locationId}/terminals/live", LiveTerminals);
        signedIn.MapGet("/locations/{posSystemId}/{locationId}/brand.css", BrandCss);
        return app;
    }

    /// <summary>The console's pages load nothing from elsewhere and cannot be framed.</summary>
    private static void ConsoleHeaders(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
        response.Headers.XFrameOptions = "DENY";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "same-origin";
        response.Headers.CacheControl = "no-store";
    }

    private static async Task<IResult> ConversionsCsv(HttpContext context, string posSystemId, string locationId, string? from, string? to, IGrainFactory grains, TimeProvider clock)
    {
        if (ConsoleLocations.Resolve(context, posSystemId, locationId) is not { } location)
        {
            return TypedResults.NotFound();
        }

        if (ConsoleLocations.DayRange(from, to, clock) is not { } days)
        {
            return TypedResults.BadRequest("Use UTC dates, yyyy-MM-dd, from on or before to, at most 92 days.");
        }

        var conversions = await StatsReport.Conversions(grains, location, days.From, days.To);
        var name = string.Create(CultureInfo.InvariantCulture, $"conversions-{location.PosSystemId}-{location.LocationId}-{days.From:yyyy-MM-dd}-{days.To:yyyy-MM-dd}.csv");
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}\"";
        return TypedResults.Text(StatsReport.ConversionsCsv(conversions), "text/csv; charset=utf-8");
    }

    /// <summary>
    /// The location's brand colours for the widget preview, as the terminal screen computes them (<see cref="Screen.ScreenStyles.Brand"/>,
    /// text colours chosen to read on the brand's background), scoped to <c>.brand-preview</c>. A stylesheet of its own because
    /// the console's CSP allows no inline style.
    /// </summary>
    private static async Task<IResult> BrandCss(HttpContext context, string posSystemId, string locationId, IGrainFactory grains)
    {
        if (ConsoleLocations.Resolve(context, posSystemId, locationId) is not { } location)
        {
            return TypedResults.NotFound();
        }

        var settings = await grains.Grain<ILocationGrain>(location.ToString()).GetSettings();
        return TypedResults.Text(Screen.ScreenStyles.Brand(settings.Brand).Replace(":root", ".brand-preview", StringComparison.Ordinal), "text/css; charset=utf-8");
    }

    private static async Task<IResult> LiveTerminals(HttpContext context, string posSystemId, string locationId, IGrainFactory grains)
    {
        if (ConsoleLocations.Resolve(context, posSystemId, locationId) is not { } location)
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Json(await LaneStates.Read(grains, location));
    }
}
