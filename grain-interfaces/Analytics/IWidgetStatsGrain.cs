namespace Widgets.Analytics;

/// <summary>A location's funnel counters for one UTC day (key: location/yyyy-MM-dd), written to storage in batches.</summary>
public interface IWidgetStatsGrain : IGrainWithStringKey
{
    [OneWay]
    Task Add(IReadOnlyList<CounterIncrement> increments);

    /// <summary>Writes pending counters now (used at shutdown and by tests).</summary>
    Task Flush();

    [ReadOnly]
    Task<IReadOnlyList<CounterRow>> GetRows();
}
