using System.Globalization;
using System.Text;
using Widgets.Analytics;
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
                + "qrShown / messagesSent → scanned → converted, plus timedOut and cancelled, and converted ÷ started. Counters may lag a few seconds. "
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

        var location = scope.Location;
        var perDay = await Task.WhenAll(Days(days).Select(d => grains.Grain<IWidgetStatsGrain>(GrainKeys.LocationDay(location, d)).GetRows()));
        var names = (await grains.Grain<ILocationGrain>(location.ToString()).GetWidgets()).ToDictionary(w => w.Id, w => w.Name);
        var stats = Aggregate(perDay.SelectMany(r => r).Where(r => onlyWidget is null || r.WidgetId == onlyWidget), names);
        var response = new StatsResponse(days.From, days.To, stats);
        return format == "csv"
            ? TypedResults.Text(ToCsv(response), "text/csv; charset=utf-8")
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

        var perDay = await Task.WhenAll(Days(days).Select(d => grains.Grain<IConversionLogGrain>(GrainKeys.LocationDay(scope.Location, d)).List()));
        return Envelope.Ok<IReadOnlyList<ConversionRecord>>(perDay.SelectMany(r => r).OrderBy(r => r.At).ToList());
    }

    private static List<WidgetStats> Aggregate(IEnumerable<CounterRow> rows, Dictionary<int, string> names) =>
        rows.GroupBy(r => r.WidgetId).OrderBy(g => g.Key).Select(widget =>
        {
            var total = Sum(widget);
            var terminals = widget.Where(r => r.TerminalId.Length > 0).GroupBy(r => r.TerminalId).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(t => (t.Key, Counts: Sum(t)))
                .Select(t => new TerminalStats(t.Key, t.Counts.Listed, t.Counts.Started, t.Counts.QrShown, t.Counts.MessagesSent, t.Counts.Scanned, t.Counts.Converted, t.Counts.TimedOut, t.Counts.Cancelled, t.Counts.ConversionRate))
                .ToList();
            return new WidgetStats(widget.Key, names.GetValueOrDefault(widget.Key, ""), total.Listed, total.Started, total.QrShown, total.MessagesSent, total.Scanned, total.Converted, total.TimedOut, total.Cancelled, total.ConversionRate, terminals);
        }).ToList();

    private static CounterSet Sum(IEnumerable<CounterRow> rows)
    {
        var sum = new long[Enum.GetValues<WidgetCounter>().Length];
        foreach (var row in rows)
        {
            for (var i = 0; i < Math.Min(sum.Length, row.Counts.Length); i++)
            {
                sum[i] += row.Counts[i];
            }
        }

        return CounterSet.From(sum);
    }

    private static string ToCsv(StatsResponse stats)
    {
        var csv = new StringBuilder("widgetId,name,terminalId,listed,started,qrShown,messagesSent,scanned,converted,timedOut,cancelled,conversionRate\n");
        foreach (var w in stats.Widgets)
        {
            csv.AppendLine(Row(w.WidgetId, w.Name, "", w.Listed, w.Started, w.QrShown, w.MessagesSent, w.Scanned, w.Converted, w.TimedOut, w.Cancelled, w.ConversionRate));
            foreach (var t in w.Terminals)
            {
                csv.AppendLine(Row(w.WidgetId, w.Name, t.TerminalId, t.Listed, t.Started, t.QrShown, t.MessagesSent, t.Scanned, t.Converted, t.TimedOut, t.Cancelled, t.ConversionRate));
            }
        }

        return csv.ToString();
    }

    private static string Row(int id, string name, string terminal, params object[] values) =>
        string.Join(',', new object[] { id, CsvField(name), CsvField(terminal) }.Concat(values).Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));

    /// <summary>Quotes a text field and defuses spreadsheet formulas an operator-supplied name could carry.</summary>
    private static string CsvField(string value)
    {
        var safe = value.Length > 0 && "=+-@\t\r".Contains(value[0]) ? "'" + value : value;
        return $"\"{safe.Replace("\"", "\"\"")}\"";
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

    private static IEnumerable<DateOnly> Days((DateOnly From, DateOnly To) range) =>
        Enumerable.Range(0, range.To.DayNumber - range.From.DayNumber + 1).Select(range.From.AddDays);
}
