using System.Text;
using Widgets.Analytics;
using Widgets.Gateway.Http;

namespace Widgets.Gateway.Admin;

/// <summary>
/// The funnel of a location over UTC days, read from the same grains for the operator API (<c>GET …/stats</c>) and the
/// console's charts; and what customers submitted (<c>GET …/conversions</c>, the console's table and CSV).
/// </summary>
public static class StatsReport
{
    public static IEnumerable<DateOnly> Days(DateOnly from, DateOnly to) =>
        Enumerable.Range(0, to.DayNumber - from.DayNumber + 1).Select(from.AddDays);

    /// <summary>Each day's counter rows, in day order.</summary>
    public static async Task<IReadOnlyList<(DateOnly Day, IReadOnlyList<CounterRow> Rows)>> RowsPerDay(IGrainFactory grains, LocationKey location, DateOnly from, DateOnly to)
    {
        var days = Days(from, to).ToList();
        var rows = await Task.WhenAll(days.Select(d => grains.Grain<IWidgetStatsGrain>(GrainKeys.LocationDay(location, d)).GetRows()));
        return days.Select((d, i) => (d, rows[i])).ToList();
    }

    /// <summary>The funnel per widget (and per terminal) over <paramref name="from"/>–<paramref name="to"/>.</summary>
    public static async Task<StatsResponse> Load(IGrainFactory grains, LocationKey location, DateOnly from, DateOnly to, int? onlyWidget = null)
    {
        var perDay = await RowsPerDay(grains, location, from, to);
        var names = (await grains.Grain<ILocationGrain>(location.ToString()).GetWidgets()).ToDictionary(w => w.Id, w => w.Name);
        return new StatsResponse(from, to, Aggregate(perDay.SelectMany(d => d.Rows).Where(r => onlyWidget is null || r.WidgetId == onlyWidget), names));
    }

    /// <summary>Every conversion over <paramref name="from"/>–<paramref name="to"/>, oldest first.</summary>
    public static async Task<IReadOnlyList<ConversionRecord>> Conversions(IGrainFactory grains, LocationKey location, DateOnly from, DateOnly to)
    {
        var perDay = await Task.WhenAll(Days(from, to).Select(d => grains.Grain<IConversionLogGrain>(GrainKeys.LocationDay(location, d)).List()));
        return perDay.SelectMany(r => r).OrderBy(r => r.At).ToList();
    }

    public static List<WidgetStats> Aggregate(IEnumerable<CounterRow> rows, IReadOnlyDictionary<int, string> names) =>
        rows.GroupBy(r => r.WidgetId).OrderBy(g => g.Key).Select(widget =>
        {
            var total = Sum(widget);
            var terminals = widget.Where(r => r.TerminalId.Length > 0).GroupBy(r => r.TerminalId).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(t => (t.Key, Counts: Sum(t)))
                .Select(t => new TerminalStats(t.Key, t.Counts.Listed, t.Counts.Started, t.Counts.QrShown, t.Counts.MessagesSent, t.Counts.MessagesUnknown, t.Counts.Scanned, t.Counts.Converted, t.Counts.TimedOut, t.Counts.Cancelled, t.Counts.ConversionRate))
                .ToList();
            return new WidgetStats(widget.Key, names.GetValueOrDefault(widget.Key, ""), total.Listed, total.Started, total.QrShown, total.MessagesSent, total.MessagesUnknown, total.Scanned, total.Converted, total.TimedOut, total.Cancelled, total.ConversionRate, terminals);
        }).ToList();

    public static CounterSet Sum(IEnumerable<CounterRow> rows)
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

    public static string StatsCsv(StatsResponse stats)
    {
        var csv = new StringBuilder("widgetId,name,terminalId,listed,started,qrShown,messagesSent,messagesUnknown,scanned,converted,timedOut,cancelled,conversionRate\n");
        foreach (var w in stats.Widgets)
        {
            StatsRow(csv, w.WidgetId, w.Name, "", w.Listed, w.Started, w.QrShown, w.MessagesSent, w.MessagesUnknown, w.Scanned, w.Converted, w.TimedOut, w.Cancelled, w.ConversionRate);
            foreach (var t in w.Terminals)
            {
                StatsRow(csv, w.WidgetId, w.Name, t.TerminalId, t.Listed, t.Started, t.QrShown, t.MessagesSent, t.MessagesUnknown, t.Scanned, t.Converted, t.TimedOut, t.Cancelled, t.ConversionRate);
            }
        }

        return csv.ToString();
    }

    /// <summary>The conversions as CSV: one row per submission, contact details and answers as the customer gave them.</summary>
    public static string ConversionsCsv(IEnumerable<ConversionRecord> conversions)
    {
        var csv = new StringBuilder("at,sessionId,widgetId,widgetType,terminalId,firstName,lastName,email,phone,consent,couponCode,answers\n");
        foreach (var c in conversions)
        {
            var answers = c.Answers is null ? "" : string.Join("; ", c.Answers.Select(a => $"{a.Key}={a.Value}"));
            Csv.Row(csv, Csv.Value(c.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)), Csv.Text(c.SessionId),
                Csv.Value(c.WidgetId), Csv.Text(c.WidgetType.ToString()), Csv.Text(c.TerminalId), Csv.Text(c.FirstName), Csv.Text(c.LastName),
                Csv.Text(c.Email), Csv.Text(c.Phone), Csv.Text(c.Consent is null ? "" : c.Consent.ToString()), Csv.Text(c.CouponCode), Csv.Text(answers));
        }

        return csv.ToString();
    }

    private static void StatsRow(StringBuilder csv, int id, string name, string terminal, params object[] values) =>
        Csv.Row(csv, [Csv.Value(id), Csv.Text(name), Csv.Text(terminal), .. values.Select(Csv.Value)]);
}
