using Microsoft.Extensions.Options;
using Widgets.Analytics;
using Widgets.Grains.Journal;
using Widgets.Keys;

namespace Widgets.Grains.Analytics;

[GenerateSerializer, Alias("Widgets.StatsState")]
public sealed class StatsState
{
    /// <summary>
    /// Counters by "widgetId/terminalId": today only <see cref="WidgetCounter.Listed"/>; days counted by earlier builds
    /// also hold the session steps of that time, which stay as they were.
    /// </summary>
    [Id(0)] public Dictionary<string, long[]> Rows { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// A location's funnel for one UTC day. The session steps are counted from the session journal (one row per session
/// that started that day), so they are exactly what the sessions' records say, crash or no crash. The listed counter
/// is not a session's: the location batches it here, and this grain writes it at most once per flush interval
/// (best effort: a crash loses the last interval's lists).
/// </summary>
public sealed class WidgetStatsGrain(
    [PersistentState("stats", WidgetsStorage.Name)] IPersistentState<StatsState> state,
    IJournalStore journal,
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

    public async Task<IReadOnlyList<CounterRow>> GetRows()
    {
        var (location, day) = GrainKeys.ParseLocationDay(this.GetPrimaryKeyString());
        var sessions = await journal.CountFunnel(location, day, CancellationToken.None);
        var batched = state.State.Rows.Select(r =>
        {
            var at = r.Key.IndexOf('/');
            return new CounterRow(int.Parse(r.Key[..at], System.Globalization.CultureInfo.InvariantCulture), r.Key[(at + 1)..], (long[])r.Value.Clone());
        });
        return [.. batched, .. sessions];
    }
}
