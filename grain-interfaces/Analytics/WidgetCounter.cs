namespace Widgets.Analytics;

/// <summary>
/// The counters kept per widget and terminal: the funnel steps, then what is counted beside them. A value is an index
/// into the counter arrays days have stored (<see cref="CounterRow.Counts"/>), so new counters go at the end.
/// </summary>
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

    /// <summary>
    /// Messages whose delivery is unknown: handed to the provider when the process stopped, never sent again
    /// (docs/DECISIONS.md "Message delivery states"); a delivery report settles one and takes it off.
    /// </summary>
    MessagesUnknown,
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
