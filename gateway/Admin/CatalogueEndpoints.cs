using System.Globalization;
using Widgets.Gateway.Auth;
using Widgets.Gateway.Http;
using Widgets.Gateway.Pos;

namespace Widgets.Gateway.Admin;

/// <summary>Operators manage a location's widgets and terminals.</summary>
public static class CatalogueEndpoints
{
    public static IEndpointRouteBuilder MapCatalogueEndpoints(this IEndpointRouteBuilder app)
    {
        var location = app.MapGroup("/v2/admin/pos/{posSystemId}/locations/{posLocationId}")
            .RequireAuthorization(AuthSetup.AdminPolicy).WithTags("Operator: catalogue");
        location.MapGet("", GetSettings);
        location.MapPut("", PutSettings);
        location.MapGet("/widgets", ListWidgets);
        location.MapPost("/widgets", CreateWidget);
        location.MapGet("/widgets/{widgetId}", GetWidget);
        location.MapPut("/widgets/{widgetId}", ReplaceWidget);
        location.MapDelete("/widgets/{widgetId}", ArchiveWidget);
        location.MapGet("/terminals", ListTerminals);
        location.MapGet("/terminals/{terminalId}", GetTerminal);
        location.MapPut("/terminals/{terminalId}", PutTerminal);
        location.MapDelete("/terminals/{terminalId}", DeleteTerminal);
        return app;
    }

    private static async Task<IResult> GetSettings(string posSystemId, string posLocationId, HttpContext context, IGrainFactory grains)
    {
        var (grain, _, problem) = AdminScope.Location(context, grains, posSystemId, posLocationId);
        return problem ?? Ok(await grain!.GetSettings());
    }

    private static async Task<IResult> PutSettings(string posSystemId, string posLocationId, HttpContext context, IGrainFactory grains)
    {
        var (grain, _, problem) = AdminScope.Location(context, grains, posSystemId, posLocationId);
        var (input, invalid) = problem is null ? await JsonBody.Read<LocationSettingsInput>(context.Request) : (null, problem);
        if (invalid is not null)
        {
            return invalid;
        }

        var updated = await grain!.UpdateSettings(new LocationSettings { Name = input!.Name, TimeZone = input.TimeZone ?? "UTC" });
        return updated.IsSuccess ? Ok(updated.Value!) : Problems.From(updated);
    }

    private static async Task<IResult> ListWidgets(string posSystemId, string posLocationId, HttpContext context, IGrainFactory grains)
    {
        var (grain, _, problem) = AdminScope.Location(context, grains, posSystemId, posLocationId);
        return problem ?? Ok(await grain!.GetWidgets());
    }

    private static async Task<IResult> CreateWidget(string posSystemId, string posLocationId, HttpContext context, IGrainFactory grains)
    {
        var (grain, location, problem) = AdminScope.Location(context, grains, posSystemId, posLocationId);
        var (draft, invalid) = problem is null ? await JsonBody.Read<WidgetDraft>(context.Request) : (null, problem);
        if (invalid is not null)
        {
            return invalid;
        }

        var created = await grain!.CreateWidget(draft!);
        if (!created.IsSuccess)
        {
            return Problems.From(created);
        }

        context.Response.Headers.ETag = AdminScope.ETag(created.Value!);
        context.Response.Headers.Location = $"/v2/admin/pos/{location.PosSystemId}/locations/{location.LocationId}/widgets/{created.Value!.Id}";
        return TypedResults.Json(new DataEnvelope<WidgetDefinition>(created.Value), WidgetsJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> GetWidget(string posSystemId, string posLocationId, string widgetId, HttpContext context, IGrainFactory grains)
    {
        var (grain, _, problem) = AdminScope.Location(context, grains, posSystemId, posLocationId);
        if (problem is not null)
        {
            return problem;
        }

        var widget = ParseId(widgetId) is { } id ? await grain!.GetWidget(id) : null;
        if (widget is null)
        {
            return WidgetNotFound(widgetId);
        }

        context.Response.Headers.ETag = AdminScope.ETag(widget);
        return Ok(widget);
    }

    private static async Task<IResult> ReplaceWidget(string posSystemId, string posLocationId, string widgetId, HttpContext context, IGrainFactory grains)
    {
        var (grain, _, problem) = AdminScope.Location(context, grains, posSystemId, posLocationId);
        if (problem is not null)
        {
            return problem;
        }

        if (ParseId(widgetId) is not { } id)
        {
            return WidgetNotFound(widgetId);
        }

        var (expected, badPrecondition) = ExpectedVersion(context.Request);
        if (badPrecondition is not null)
        {
            return badPrecondition;
        }

        var (draft, invalid) = await JsonBody.Read<WidgetDraft>(context.Request);
        if (invalid is not null)
        {
            return invalid;
        }

        var replaced = await grain!.ReplaceWidget(id, draft!, expected);
        if (!replaced.IsSuccess)
        {
            return Problems.From(replaced);
        }

        context.Response.Headers.ETag = AdminScope.ETag(replaced.Value!);
        return Ok(replaced.Value!);
    }

    private static async Task<IResult> ArchiveWidget(string posSystemId, string posLocationId, string widgetId, HttpContext context, IGrainFactory grains)
    {
        var (grain, _, problem) = AdminScope.Location(context, grains, posSystemId, posLocationId);
        if (problem is not null)
        {
            return problem;
        }

        var archived = ParseId(widgetId) is { } id ? await grain!.ArchiveWidget(id) : null;
        return archived is null ? WidgetNotFound(widgetId) : archived.IsSuccess ? Ok(archived.Value!) : Problems.From(archived);
    }

    private static async Task<IResult> ListTerminals(string posSystemId, string posLocationId, HttpContext context, IGrainFactory grains)
    {
        var (grain, _, problem) = AdminScope.Location(context, grains, posSystemId, posLocationId);
        return problem ?? Ok(await grain!.GetTerminals());
    }

    private static async Task<IResult> GetTerminal(string posSystemId, string posLocationId, string terminalId, HttpContext context, IGrainFactory grains)
    {
        var (grain, _, problem) = AdminScope.Location(context, grains, posSystemId, posLocationId);
        if (problem is not null)
        {
            return problem;
        }

        return await grain!.GetTerminal(terminalId) is { } terminal ? Ok(terminal) : TerminalNotFound(terminalId);
    }

    private static async Task<IResult> PutTerminal(string posSystemId, string posLocationId, string terminalId, HttpContext context, IGrainFactory grains)
    {
        var (grain, _, problem) = AdminScope.Location(context, grains, posSystemId, posLocationId);
        if (problem is not null)
        {
            return problem;
        }

        if (!LocationKey.IsValidId(terminalId))
        {
            return Problems.Field("terminalId", "1–64 letters, digits, dots, dashes or underscores.");
        }

        TerminalInput? input = null;
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            (input, var invalid) = await JsonBody.Read<TerminalInput>(context.Request);
            if (invalid is not null)
            {
                return invalid;
            }
        }

        if (input?.Name is { Length: > 100 })
        {
            return Problems.Field("name", "At most 100 characters.");
        }

        return Ok(await grain!.PutTerminal(terminalId, input?.Name));
    }

    private static async Task<IResult> DeleteTerminal(string posSystemId, string posLocationId, string terminalId, HttpContext context, IGrainFactory grains)
    {
        var (grain, _, problem) = AdminScope.Location(context, grains, posSystemId, posLocationId);
        if (problem is not null)
        {
            return problem;
        }

        return await grain!.RemoveTerminal(terminalId) ? TypedResults.NoContent() : TerminalNotFound(terminalId);
    }

    /// <summary>If-Match carries the ETag of a GET (<c>"v3"</c>); <c>*</c> or no header means "whatever is there".</summary>
    private static (int? Version, IResult? Problem) ExpectedVersion(HttpRequest request)
    {
        var header = request.Headers.IfMatch.ToString().Trim();
        if (header.Length == 0 || header == "*")
        {
            return (null, null);
        }

        var tag = header.StartsWith("W/", StringComparison.Ordinal) ? header[2..] : header;
        return tag.Length > 3 && tag[0] == '"' && tag[1] == 'v' && tag[^1] == '"'
            && int.TryParse(tag[2..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? (version, null)
            : (null, Problems.Status(DomainError.VersionMismatch, "If-Match does not hold an ETag of this widget; GET it and send its ETag."));
    }

    private static int? ParseId(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : null;

    private static IResult WidgetNotFound(string widgetId) => Problems.Status(DomainError.WidgetNotFound, $"Widget '{widgetId}' does not exist at this location.");

    private static IResult TerminalNotFound(string terminalId) => Problems.Status(DomainError.TerminalNotFound, $"Terminal '{terminalId}' is not registered at this location.");

    private static IResult Ok<T>(T data) => TypedResults.Json(new DataEnvelope<T>(data), WidgetsJson.Options);
}
