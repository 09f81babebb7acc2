namespace Widgets.Analytics;

/// <summary>
/// A location's funnel for one UTC day (key: location/yyyy-MM-dd): the session steps of the sessions that started that
/// day, counted from the session journal, and the listed counter, which the location batches here.
/// </summary>
public interface IWidgetStatsGrain : IGrainWithStringKey
{
    /// <summary>Adds batched counts (the listed counter); written to storage at most once per flush interval.</summary>
    [OneWay]
    Task Add(IReadOnlyList<CounterIncrement> increments);

    /// <summary>Writes pending counters now (used at shutdown and by tests).</summary>
    Task Flush();

    /// <summary>The day's counters per widget and terminal; rows of the same widget and terminal add up.</summary>
    [ReadOnly]
    Task<IReadOnlyList<CounterRow>> GetRows();
}
