using Widgets.Gateway.Admin;

namespace Widgets.Gateway.OperatorConsole;

/// <summary>A conversion rate with its 95 % Wilson score interval: tells a real winner from a lucky few sessions.</summary>
public readonly record struct RateInterval(long Converted, long Started, double Rate, double Low, double High)
{
    private const double Z = 1.959963984540054; // the 97.5th percentile of the standard normal

    public static RateInterval Wilson(long converted, long started)
    {
        if (started <= 0)
        {
            return new(converted, 0, 0, 0, 0);
        }

        var n = (double)started;
        var p = Math.Min(1, (double)converted / n);
        var z2 = Z * Z;
        var denominator = 1 + (z2 / n);
        var centre = (p + (z2 / (2 * n))) / denominator;
        var half = Z * Math.Sqrt((p * (1 - p) / n) + (z2 / (4 * n * n))) / denominator;
        return new(converted, started, p, Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    public string Describe() => Started == 0
        ? "no sessions"
        : FormattableString.Invariant($"{Percent(Rate)} (95 % interval {Percent(Low)}–{Percent(High)}, {Converted} of {Started})");

    private static string Percent(double value) => (value * 100).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + "%";
}

/// <summary>The five funnel steps the console charts, in order.</summary>
public static class Funnel
{
    public static readonly IReadOnlyList<(string Key, string Label)> Steps =
        [("listed", "Listed"), ("started", "Started"), ("shownOrSent", "QR shown / sent"), ("scanned", "Scanned"), ("converted", "Converted")];

    public static long[] Values(WidgetStats w) => [w.Listed, w.Started, w.QrShown + w.MessagesSent, w.Scanned, w.Converted];
}
