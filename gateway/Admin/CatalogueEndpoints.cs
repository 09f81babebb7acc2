using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using Widgets.Clients;
using Widgets.Gateway.Auth;
using Widgets.Gateway.Http;

namespace Widgets.Gateway.Admin;

/// <summary>
/// Operators manage a location's settings, widgets and terminals. Every handler runs behind
/// <see cref="RequestScopeFilter"/>: the location in the route is one the caller may manage.
/// </summary>
public static class CatalogueEndpoints
{
    public const string Tag = "Operator: catalogue";

    /// <summary>The operator routes of one location, behind the admin scope; analytics and the console add to the same prefix.</summary>
    public static RouteGroupBuilder MapLocationGroup(this IEndpointRouteBuilder app, string tag) =>
        app.MapGroup("/v2/admin/pos/{posSystemId}/locations/{posLocationId}").ForScope(Scopes.WidgetsAdmin).WithTags(tag);

    public static IEndpointRouteBuilder MapCatalogueEndpoints(this IEndpointRouteBuilder app)
    {
        var location = app.MapLocationGroup(Tag);
        location.MapGet("/settings", GetSettings).WithName("getLocationSettings")
            .WithSummary("Read the location's settings")
            .WithDescription("The location's name, IANA time zone (SMS quiet hours are in the store's local time), the branding, language, "
                + "carousel pace and self-start of its screens, and how many days customers' contact details are kept.");
        location.MapPut("/settings", PutSettings).WithName("putLocationSettings")
            .WithSummary("Change the location's settings")
            .WithDescription("The fields given replace the current ones; the fields left out keep theirs (`brand` is replaced whole). "
                + "Invalid settings are refused with the reasons per field and change nothing.")
            .WithRequestExample("screen", "Branding, Spanish texts and self-start", AdminExamples.Settings);

        location.MapGet("/widgets", ListWidgets).WithName("listCatalogueWidgets")
            .WithSummary("List the location's widgets")
            .WithDescription("Every widget of the location, whatever its status, by id.");
        location.MapPost("/widgets", CreateWidget).WithName("createWidget")
            .WithSummary("Create a widget")
            .WithDescription("Adds a widget to the catalogue; it comes back whole with its `id`, its ETag and its Location.")
            .WithResponseHeader(201, HeaderNames.ETag, "The widget's version, for If-Match on a later PUT.")
            .WithResponseHeader(201, HeaderNames.Location, "The widget's URL.")
            .WithRequestExample("loyalty", "A loyalty enrollment widget", AdminExamples.Widget);
        location.MapGet("/widgets/{widgetId}", GetWidget).WithName("getWidget")
            .WithSummary("Read a widget")
            .WithDescription("The widget with its ETag, to send back in If-Match when replacing it.")
            .WithResponseHeader(200, HeaderNames.ETag, "The widget's version.")
            .ProducesProblems(DomainError.WidgetNotFound);
        location.MapPut("/widgets/{widgetId}", ReplaceWidget).WithName("replaceWidget")
            .WithSummary("Replace a widget")
            .WithDescription("Replaces the widget whole. With If-Match, refused (412) when someone changed it since it was read; without, it overwrites.")
            .WithRequestHeader(HeaderNames.IfMatch, "The ETag of the widget as last read (`\"v3\"`); `*` or none overwrites whatever is there.")
            .WithResponseHeader(200, HeaderNames.ETag, "The widget's new version.")
            .ProducesProblems(DomainError.WidgetNotFound, DomainError.VersionMismatch)
            .WithRequestExample("loyalty", "A loyalty enrollment widget", AdminExamples.Widget);
        location.MapDelete("/widgets/{widgetId}", ArchiveWidget).WithName("archiveWidget")
            .WithSummary("Archive a widget")
            .WithDescription("The widget leaves every list; its sessions and statistics stay readable. Answers the archived widget.")
            .ProducesProblems(DomainError.WidgetNotFound);

        location.MapGet("/terminals", ListTerminals).WithName("listTerminals")
            .WithSummary("List the location's terminals")
            .WithDescription("The registered POS lanes, by id.");
        location.MapGet("/terminals/{terminalId}", GetTerminal).WithName("getTerminal")
            .WithSummary("Read a terminal")
            .WithDescription("A registered terminal, with the session it shows now, if any.")
            .ProducesProblems(DomainError.TerminalNotFound);
        location.MapPut("/terminals/{terminalId}", PutTerminal).WithName("putTerminal")
            .WithSummary("Register or rename a terminal")
            .WithDescription("Registers the terminal (sessions start only on registered terminals) or renames it; the body may be left out.");
        location.MapDelete("/terminals/{terminalId}", DeleteTerminal).WithName("deleteTerminal")
            .WithSummary("Remove a terminal")
            .WithDescription("Unregisters the terminal; its active session ends as `superseded`.")
            .ProducesProblems(DomainError.TerminalNotFound);
        return app;
    }

    private static async Task<Ok<DataEnvelope<LocationSettings>>> GetSettings(LocationScope location, IGrainFactory grains) =>
        Envelope.Ok(await Grain(grains, location).GetSettings());

    private static async Task<Results<Ok<DataEnvelope<LocationSettings>>, ProblemHttpResult>> PutSettings(
        LocationScope location, JsonBody<LocationSettingsChange> change, IGrainFactory grains)
    {
        var updated = await Grain(grains, location).UpdateSettings(change.Body);
        return updated.IsSuccess ? Envelope.Ok(updated.Value!) : Problems.From(updated);
    }

    private static async Task<Ok<DataEnvelope<IReadOnlyList<WidgetDefinition>>>> ListWidgets(LocationScope location, IGrainFactory grains) =>
        Envelope.Ok(await Grain(grains, location).GetWidgets());

    private static async Task<Results<Created<DataEnvelope<WidgetDefinition>>, ProblemHttpResult>> CreateWidget(
        LocationScope location, JsonBody<WidgetDraft> draft, HttpContext context, IGrainFactory grains)
    {
        var created = await Grain(grains, location).CreateWidget(draft.Body);
        if (!created.IsSuccess)
        {
            return Problems.From(created);
        }

        var widget = created.Value!;
        context.Response.Headers.ETag = ETag(widget);
        return Envelope.Created($"/v2/admin/pos/{location.Location.PosSystemId}/locations/{location.Location.LocationId}/widgets/{widget.Id}", widget);
    }

    private static async Task<Results<Ok<DataEnvelope<WidgetDefinition>>, ProblemHttpResult>> GetWidget(
        LocationScope location, string widgetId, HttpContext context, IGrainFactory grains)
    {
        if (ParseId(widgetId) is not { } id || await Grain(grains, location).GetWidget(id) is not { } widget)
        {
            return WidgetNotFound(widgetId);
        }

        context.Response.Headers.ETag = ETag(widget);
        return Envelope.Ok(widget);
    }

    private static async Task<Results<Ok<DataEnvelope<WidgetDefinition>>, ProblemHttpResult>> ReplaceWidget(
        LocationScope location, string widgetId, JsonBody<WidgetDraft> draft, HttpContext context, IGrainFactory grains)
    {
        if (ParseId(widgetId) is not { } id)
        {
            return WidgetNotFound(widgetId);
        }

        if (!TryExpectedVersion(context.Request, out var expected))
        {
            return Problems.Of(ProblemCodes.VersionMismatch, "If-Match does not hold an ETag of this widget; GET it and send its ETag.");
        }

        var replaced = await Grain(grains, location).ReplaceWidget(id, draft.Body, expected);
        if (!replaced.IsSuccess)
        {
            return Problems.From(replaced);
        }

        context.Response.Headers.ETag = ETag(replaced.Value!);
        return Envelope.Ok(replaced.Value!);
    }

    private static async Task<Results<Ok<DataEnvelope<WidgetDefinition>>, ProblemHttpResult>> ArchiveWidget(
        LocationScope location, string widgetId, IGrainFactory grains)
    {
        if (ParseId(widgetId) is not { } id)
        {
            return WidgetNotFound(widgetId);
        }

        var archived = await Grain(grains, location).ArchiveWidget(id);
        return archived.IsSuccess ? Envelope.Ok(archived.Value!) : Problems.From(archived);
    }

    private static async Task<Ok<DataEnvelope<IReadOnlyList<Terminal>>>> ListTerminals(LocationScope location, IGrainFactory grains) =>
        Envelope.Ok(await Grain(grains, location).GetTerminals());

    private static async Task<Results<Ok<DataEnvelope<Terminal>>, ProblemHttpResult>> GetTerminal(LocationScope location, string terminalId, IGrainFactory grains) =>
        LocationKey.IsValidId(terminalId) && await Grain(grains, location).GetTerminal(terminalId) is { } terminal
            ? Envelope.Ok(terminal)
            : TerminalNotFound(terminalId);

    private static async Task<Results<Ok<DataEnvelope<Terminal>>, ProblemHttpResult>> PutTerminal(
        LocationScope location, string terminalId, JsonBody<TerminalInput>? input, IGrainFactory grains)
    {
        if (!LocationKey.IsValidId(terminalId))
        {
            return Problems.Field("terminalId", FieldRules.IdRule);
        }

        return Envelope.Ok(await Grain(grains, location).PutTerminal(terminalId, input?.Body.Name));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteTerminal(LocationScope location, string terminalId, IGrainFactory grains) =>
        LocationKey.IsValidId(terminalId) && await Grain(grains, location).RemoveTerminal(terminalId)
            ? TypedResults.NoContent()
            : TerminalNotFound(terminalId);

    private static ILocationGrain Grain(IGrainFactory grains, LocationScope location) => grains.Grain<ILocationGrain>(location.Location.ToString());

    public static string ETag(WidgetDefinition widget) => $"\"v{widget.Version}\"";

    /// <summary>If-Match carries the ETag of a GET (<c>"v3"</c>); <c>*</c> or no header means "whatever is there".</summary>
    private static bool TryExpectedVersion(HttpRequest request, out int? version)
    {
        version = null;
        var header = request.Headers.IfMatch.ToString().Trim();
        if (header.Length == 0 || header == "*")
        {
            return true;
        }

        var tag = header.StartsWith("W/", StringComparison.Ordinal) ? header[2..] : header;
        if (tag.Length > 3 && tag[0] == '"' && tag[1] == 'v' && tag[^1] == '"'
            && int.TryParse(tag[2..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            version = parsed;
            return true;
        }

        return false;
    }

    private static int? ParseId(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : null;

    private static ProblemHttpResult WidgetNotFound(string widgetId) =>
        Problems.Of(ProblemCodes.WidgetNotFound, $"Widget '{widgetId}' does not exist at this location.");

    private static ProblemHttpResult TerminalNotFound(string terminalId) =>
        Problems.Of(ProblemCodes.TerminalNotFound, $"Terminal '{terminalId}' is not registered at this location.");
}
