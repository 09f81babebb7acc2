using Microsoft.Extensions.Options;
using Widgets.Analytics;

namespace Widgets.Grains.Analytics;

[GenerateSerializer, Alias("Widgets.StatsState")]
public sealed class StatsState
{
    /// <summary>Counters by "widgetId/terminalId".</summary>
    [Id(0)] public Dictionary<string, long[]> Rows { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>Counts in memory and writes at most once per flush interval, so events never wait on storage.</summary>
public sealed class WidgetStatsGrain(
    [PersistentState("stats", WidgetsStorage.Name)] IPersistentState<StatsState> state,
    IOptions<SessionOptions> options) : Grain, IWidgetStatsGrain
{
    private static readonly int CounterCount = Enum.GetValues<WidgetCounter>().Length;
    private bool dirty;
    private IGrainTimer? flushTimer;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var every = options.Value.StatsFlushInterval;
        flushTimer = this.RegisterGrainTimer(_ => Flush(), every, every);
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        flushTimer?.Dispose();
        await Flush();
    }

    public Task Add(IReadOnlyList<CounterIncrement> increments)
    {
        foreach (var increment in increments)
        {
            var key = $"{increment.WidgetId}/{increment.TerminalId}";
            if (!state.State.Rows.TryGetValue(key, out var counts))
            {
                counts = new long[CounterCount];
                state.State.Rows[key] = counts;
            }

            counts[(int)increment.Counter] += increment.Amount;
        }

        dirty |= increments.Count > 0;
        return Task.CompletedTask;
    }

    public async Task Flush()
    {
        if (dirty)
        {
            dirty = false;
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<CounterRow>> GetRows()
    {
        var rows = state.State.Rows.Select(r =>
        {
            var at = r.Key.IndexOf('/');
            return new CounterRow(int.Parse(r.Key[..at], System.Globalization.CultureInfo.InvariantCulture), r.Key[(at + 1)..], (long[])r.Value.Clone());
        }).ToList();
        return Task.FromResult<IReadOnlyList<CounterRow>>(rows);
    }
}
