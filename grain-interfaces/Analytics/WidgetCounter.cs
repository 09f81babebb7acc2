namespace Widgets.Analytics;

/// <summary>The funnel steps counted per widget and terminal; the order is the column order of stats.</summary>
public enum WidgetCounter
{
    Listed,
    Started,
    QrShown,
    MessagesSent,
    Scanned,
    Converted,
    TimedOut,
    Cancelled,
}

/// <summary>A batch of counter increments for one widget on one terminal ("" when the POS named none).</summary>
[GenerateSerializer, Immutable, Alias("Widgets.CounterIncrement")]
public sealed record CounterIncrement(
    [property: Id(0)] int WidgetId,
    [property: Id(1)] string TerminalId,
    [property: Id(2)] WidgetCounter Counter,
    [property: Id(3)] long Amount);

/// <summary>The counters of one widget on one terminal for one day.</summary>
[GenerateSerializer, Immutable, Alias("Widgets.CounterRow")]
public sealed record CounterRow(
    [property: Id(0)] int WidgetId,
    [property: Id(1)] string TerminalId,
    [property: Id(2)] long[] Counts);
