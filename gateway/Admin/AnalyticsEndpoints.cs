using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Widgets.Gateway.Http;

namespace Widgets.Gateway.Admin;

/// <summary>Which widgets work: the funnel per widget and terminal, and what customers submitted.</summary>
public static class AnalyticsEndpoints
{
    private const int MaxDays = 92;

    public static IEndpointRouteBuilder MapAnalyticsEndpoints(this IEndpointRouteBuilder app)
    {
        var location = app.MapLocationGroup("Operator: analytics");
        location.MapGet("/stats", Stats).WithName("getStats")
            .WithSummary("The funnel per widget and terminal")
            .WithDescription("Counters per widget (and per terminal) over UTC days `from`–`to` (default today, at most 92 days): listed → started → "
                + "qrShown / messagesSent → scanned → converted, plus timedOut and cancelled, and converted ÷ started. "
                + "`messagesUnknown`: messages whose delivery is unknown (handed to the provider when the service stopped; never sent again "
                + "automatically; the session's messages show which) until the provider's delivery report settles them. Counters may lag a few seconds. "
                + "`format=csv` answers the same as CSV (spreadsheet-safe).")
            .WithResponseContent(200, "text/csv", "With `format=csv`: a header row, then one row per widget and one per widget and terminal.")
            .ProducesProblems(ProblemCodes.ValidationFailed);
        location.MapGet("/conversions", Conversions).WithName("listConversions")
            .WithSummary("What customers submitted")
            .WithDescription("Every landing-page submission over UTC days `from`–`to` (default today), with the consent given and the exact consent text shown.")
            .ProducesProblems(ProblemCodes.ValidationFailed);
        return app;
    }

    private static async Task<Results<Ok<DataEnvelope<StatsResponse>>, ContentHttpResult, ProblemHttpResult>> Stats(
        LocationScope scope, string? from, string? to, string? widgetId, string? format, IGrainFactory grains, TimeProvider clock)
    {
        var (days, badRange) = DayRange(from, to, clock);
        if (badRange is not null)
        {
            return badRange;
        }

        int? onlyWidget = null;
        if (!string.IsNullOrEmpty(widgetId))
        {
            if (!int.TryParse(widgetId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                return Problems.Field("widgetId", "Must be a widget id.");
            }

            onlyWidget = id;
        }

        if (format is not (null or "" or "json" or "csv"))
        {
            return Problems.Field("format", "Use json or csv.");
        }

        var response = await StatsReport.Load(grains, scope.Location, days.From, days.To, onlyWidget);
        return format == "csv"
            ? TypedResults.Text(StatsReport.StatsCsv(response), "text/csv; charset=utf-8")
            : Envelope.Ok(response);
    }

    private static async Task<Results<Ok<DataEnvelope<IReadOnlyList<ConversionRecord>>>, ProblemHttpResult>> Conversions(
        LocationScope scope, string? from, string? to, IGrainFactory grains, TimeProvider clock)
    {
        var (days, badRange) = DayRange(from, to, clock);
        if (badRange is not null)
        {
            return badRange;
        }

        return Envelope.Ok(await StatsReport.Conversions(grains, scope.Location, days.From, days.To));
    }

    private static ((DateOnly From, DateOnly To) Days, ProblemHttpResult? Problem) DayRange(string? from, string? to, TimeProvider clock)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        if (!TryDay(from, today, out var first) || !TryDay(to, today, out var last))
        {
            return (default, Problems.Field(TryDay(from, today, out _) ? "to" : "from", "Use a UTC date, yyyy-MM-dd."));
        }

        if (last < first || last.DayNumber - first.DayNumber >= MaxDays)
        {
            return (default, Problems.Field("to", $"Must be on or after from, at most {MaxDays} days later."));
        }

        return ((first, last), null);
    }

    private static bool TryDay(string? value, DateOnly today, out DateOnly day)
    {
        day = today;
        return string.IsNullOrEmpty(value) || DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
    }
}
